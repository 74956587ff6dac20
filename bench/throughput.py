"""Throughput and memory of the whole CSV -> JSON path.

    python bench/throughput.py [--rows 1000000] [--kp-share 0.05] [--jobs 2] [--modes ...]

Each mode runs in its own process (peak RSS is that process's own, workers reported apart):

- csv-read:  Python's csv module only reads the file (the floor for any CSV screener);
- screener:  the product path: `screener screen --format json` (streaming, pre-filter,
             --jobs worker processes);
- screener-1: the same with one process;
- naive:     every row validated and posted to durable_rules one at a time, no pre-filter,
             one process, report built in memory (what a straightforward design does);
- python:    the in-memory path with the compiled conditions evaluated in plain Python
             instead of durable_rules (a reference for the engine's cost).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = ["id", "date", "exporter_country", "importer_country", "origin_country", "hs_code",
          "description", "quantity", "unit", "value_usd", "vessel_flag", "port_of_loading"]
PARTNERS = ["CN", "RU", "VN", "JP", "US", "DE", "IN", "BR", "KR", "Korea, Republic of", "MY"]
KP_NAMES = ["KP", "DPRK", "North Korea", "PRK"]
GOODS = [("2603.00", "Copper concentrate"), ("2701.12", "Bituminous coal"),
         ("7108.12", "Gold, unwrought"), ("2613.90", "Molybdenum concentrate"),
         ("2601.11", "Iron ore fines"), ("", "zinc concentrate"), ("1101.00", "Wheat flour"),
         ("8703.23", "Passenger cars"), ("3102.30", "Ammonium nitrate"),
         ("", "cerium concentrate"), ("6109.10", "T-shirts"), ("0303.54", "Frozen mackerel")]


def generate(path: Path, rows: int, kp_share: float, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            exporter, importer = rng.sample(PARTNERS, 2)
            origin = exporter
            if rng.random() < kp_share:
                if rng.random() < 0.7:
                    exporter = origin = rng.choice(KP_NAMES)
                else:
                    importer = rng.choice(KP_NAMES)
            hs, description = rng.choice(GOODS)
            day = f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            writer.writerow([f"T{i:07d}", day, exporter, importer, origin, hs, description,
                             rng.randint(1, 5000), rng.choice(["t", "kg", "MT"]),
                             rng.randint(1000, 9_000_000), rng.choice(["", exporter]),
                             rng.choice(["Nampo", "Dalian", "Qingdao", "Rajin", ""])])


class PythonReference:
    """Evaluates the same compiled conditions as the engine, in plain Python."""

    def __init__(self, screener) -> None:
        self.labels = screener.compiled.labelled()

    def fire(self, fact):
        return [label for label, node in self.labels if node.test(fact)]


def run_mode(mode: str, csv_path: Path, out_path: Path, jobs: int) -> dict:
    start = time.perf_counter()
    summary: dict = {}
    if mode == "csv-read":
        with csv_path.open(newline="", encoding="utf-8") as handle:
            rows = sum(1 for _ in csv.reader(handle)) - 1
        summary = {"rows": rows}
    elif mode in ("screener", "screener-1"):
        from screener import Screener
        from screener.loader import default_pack_dir
        from screener.streaming import stream_screen
        workers = jobs if mode == "screener" else 1
        with out_path.open("w", encoding="utf-8") as out:
            outcome = stream_screen(Screener.default(), csv_path, out, "json", jobs=workers,
                                    pack_dirs=[str(default_pack_dir())])
        summary = outcome.summary.model_dump(exclude={"by_rule"})
    else:
        from screener import Screener
        from screener.render import write_json
        screener = Screener.default()
        if mode == "python":
            screener.engine = PythonReference(screener)
        elif mode == "naive":
            screener.compiled.__dict__["column_gate"] = None
            object.__setattr__(screener.compiled, "gate", None)
        report = screener.screen(csv_path)
        with out_path.open("w", encoding="utf-8") as out:
            write_json(report, out)
        summary = report.summary.model_dump(exclude={"by_rule"})
    seconds = time.perf_counter() - start
    return {"mode": mode, "rows": summary["rows"], "seconds": seconds,
            "rows_per_s": summary["rows"] / seconds,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "summary": summary}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--kp-share", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--modes", default="csv-read,screener,screener-1,naive,python")
    parser.add_argument("--_child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child:
        mode, csv_path, out_path, jobs = args._child
        print(json.dumps(run_mode(mode, Path(csv_path), Path(out_path), int(jobs))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "bench.csv"
        generate(csv_path, args.rows, args.kp_share, args.seed)
        print(f"{args.rows:,} rows, {args.kp_share:.0%} KP-related, "
              f"{csv_path.stat().st_size / 1e6:.1f} MB CSV, Python {sys.version.split()[0]}, "
              f"{os.cpu_count()} cores, --jobs {args.jobs}")
        results = {}
        for mode in args.modes.split(","):
            out = subprocess.run(
                [sys.executable, __file__, "--_child", mode, str(csv_path),
                 str(Path(tmp) / f"{mode}.json"), str(args.jobs)],
                capture_output=True, text=True, check=True)
            r = results[mode] = json.loads(out.stdout)
            workers = f" (workers {r['worker_rss_mb']:.0f} MB)" if r["worker_rss_mb"] else ""
            print(f"{mode:>11}: {r['rows_per_s']:>10,.0f} rows/s  {r['seconds']:7.2f} s  "
                  f"peak RSS {r['peak_rss_mb']:6.1f} MB{workers}")
        if "screener" in results and "csv-read" in results:
            print(f"end to end / csv read time: "
                  f"{results['screener']['seconds'] / results['csv-read']['seconds']:.1f}x")
        if "screener" in results and "naive" in results:
            print(f"speed over naive posting: "
                  f"{results['screener']['rows_per_s'] / results['naive']['rows_per_s']:.1f}x")
        if "python" in results and "naive" in results:
            print(f"plain-Python conditions vs naive durable_rules posting: "
                  f"{results['python']['rows_per_s'] / results['naive']['rows_per_s']:.1f}x")
        screened = {m: json.dumps(r["summary"], sort_keys=True) for m, r in results.items()
                    if m != "csv-read"}
        print("all screening modes agree on the summary" if len(set(screened.values())) <= 1
              else f"MODES DISAGREE: {screened}")


if __name__ == "__main__":
    main()
