"""Throughput of the whole CSV -> JSON path, against a plain-Python reference.

    python bench/throughput.py [--rows 100000] [--kp-share 0.05] [--seed 7]

Each mode runs in its own process so that peak RSS is that mode's own:
- screener:  the product path (pre-filter, then durable_rules for rows that can match);
- no-filter: the same, but every row is posted to durable_rules (what the pre-filter saves);
- python:    the same ingest, facts, findings and JSON, with the compiled conditions
             evaluated in plain Python instead of durable_rules (the reference ratio).
"""

from __future__ import annotations

import argparse
import csv
import json
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
            writer.writerow([f"T{i:07d}", day,
                             exporter, importer, origin, hs, description,
                             rng.randint(1, 5000), rng.choice(["t", "kg", "MT"]),
                             rng.randint(1000, 9_000_000), rng.choice(["", exporter]),
                             rng.choice(["Nampo", "Dalian", "Qingdao", "Rajin", ""])])


class PythonReference:
    """Evaluates the same compiled conditions as the engine, in plain Python."""

    def __init__(self, screener) -> None:
        self.labels = screener.compiled.labelled()

    def fire(self, fact):
        return [label for label, node in self.labels if node.test(fact)]


def run_mode(mode: str, csv_path: Path, out_path: Path) -> dict:
    from screener import Screener
    from screener.compiler import CompiledPack
    from screener.render import write_json

    screener = Screener.default()
    if mode == "python":
        screener.engine = PythonReference(screener)
    elif mode == "no-filter":
        compiled = screener.compiled
        screener.compiled = CompiledPack(compiled.rules, compiled.keywords,
                                         compiled.case_goods, None, compiled.columns)
    start = time.perf_counter()
    report = screener.screen(csv_path)
    with out_path.open("w", encoding="utf-8") as handle:
        write_json(report, handle)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"mode": mode, "rows": report.summary.rows, "seconds": seconds,
            "rows_per_s": report.summary.rows / seconds, "peak_rss_mb": peak_kb / 1024,
            "summary": report.summary.model_dump(exclude={"by_rule"})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--kp-share", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--modes", default="screener,no-filter,python")
    parser.add_argument("--_child", nargs=3, metavar=("MODE", "CSV", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child:
        mode, csv_path, out_path = args._child
        print(json.dumps(run_mode(mode, Path(csv_path), Path(out_path))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "bench.csv"
        generate(csv_path, args.rows, args.kp_share, args.seed)
        print(f"{args.rows:,} rows, {args.kp_share:.0%} KP-related, "
              f"{csv_path.stat().st_size / 1e6:.1f} MB CSV, Python {sys.version.split()[0]}")
        results = {}
        for mode in args.modes.split(","):
            out = subprocess.run(
                [sys.executable, __file__, "--_child", mode, str(csv_path),
                 str(Path(tmp) / f"{mode}.json")],
                capture_output=True, text=True, check=True)
            results[mode] = json.loads(out.stdout)
            r = results[mode]
            print(f"{mode:>10}: {r['rows_per_s']:>9,.0f} rows/s  {r['seconds']:6.2f} s  "
                  f"peak RSS {r['peak_rss_mb']:6.1f} MB  {r['summary']}")
        if "screener" in results and "python" in results:
            ratio = results["python"]["rows_per_s"] / results["screener"]["rows_per_s"]
            print(f"plain-Python reference is {ratio:.2f}x the screener's speed")
        if "screener" in results and "no-filter" in results:
            ratio = results["screener"]["rows_per_s"] / results["no-filter"]["rows_per_s"]
            print(f"pre-filter speed-up over posting every row: {ratio:.2f}x")
        summaries = {json.dumps(r["summary"], sort_keys=True) for r in results.values()}
        print("all modes agree on the summary" if len(summaries) == 1
              else "MODES DISAGREE on the summary")


if __name__ == "__main__":
    main()
