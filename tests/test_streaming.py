"""Streaming (json/csv written as rows finish, optionally in worker processes) gives exactly
the report that the in-memory path gives."""

from __future__ import annotations

import csv
import io
import json
import random

import pytest

from screener import Screener
from screener.ledger import Ledger
from screener.render import write_csv, write_json
from screener.streaming import CHUNK_ROWS, stream_screen

from .conftest import EXAMPLES_CSV, ROOT

HEADER = ("id,date,exporter_country,importer_country,hs_code,description,quantity,unit,"
          "notified_to_committee\n")


def synthetic(path, rows=5000, seed=3):
    rng = random.Random(seed)
    goods = [("2603", "copper"), ("2710.19", "diesel"), ("1101", "flour"), ("2709", "crude oil"),
             ("", "zinc concentrate"), ("7108", "gold"), ("26O3", "bad hs")]
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        for i in range(rows):
            hs, desc = rng.choice(goods)
            exp, imp = rng.choice([("KP", "CN"), ("CN", "KP"), ("CN", "VN"), ("RU", "KP")])
            day = f"{rng.randint(2016, 2021)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            rid = f"S{i}" if rng.random() > 0.01 else "DUP"
            handle.write(f"{rid},{day},{exp},{imp},{hs},{desc},{rng.randint(1, 9000)},t,"
                         f"{rng.choice(['true', 'false'])}\n")
    return path


def in_memory(screener, path, fmt, ledger=None):
    report = screener.screen(path, ledger=ledger)
    out = io.StringIO()
    if fmt == "json":
        write_json(report, out)
    else:
        write_csv(report, path, out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_streamed_output_equals_the_in_memory_report(screener, tmp_path, fmt):
    path = synthetic(tmp_path / "s.csv", rows=3 * CHUNK_ROWS + 17)
    streamed = io.StringIO()
    outcome = stream_screen(screener, path, streamed, fmt)
    expected = in_memory(screener, path, fmt)
    assert streamed.getvalue() == expected
    if fmt == "json":
        data = json.loads(streamed.getvalue())
        assert data["summary"]["rows"] == 3 * CHUNK_ROWS + 17 == outcome.summary.rows
        # caps were judged across the whole file: some deliveries exceed the 2019 cap
        capped = [f for r in data["results"] for f in r["findings"] if f.get("cap")]
        assert capped and any(f["cap"]["exceeded"] for f in capped)


def test_two_worker_processes_give_the_same_output(screener, tmp_path):
    path = synthetic(tmp_path / "s.csv", rows=2 * CHUNK_ROWS + 5)
    single, double = io.StringIO(), io.StringIO()
    stream_screen(screener, path, single, "json", jobs=1)
    stream_screen(screener, path, double, "json", jobs=2, pack_dirs=[str(ROOT / "rules")])
    assert single.getvalue() == double.getvalue()


def test_streaming_with_ledger_and_audit_matches(screener, tmp_path):
    from screener.audit import AuditLog
    path = synthetic(tmp_path / "s.csv", rows=500)
    log = AuditLog(tmp_path / "a.sqlite")
    out = io.StringIO()
    outcome = stream_screen(screener, path, out, "json", ledger=Ledger(tmp_path / "l1"),
                            audit=log)
    report = screener.screen(path, ledger=Ledger(tmp_path / "l2"), audit=log)
    data = json.loads(out.getvalue())
    assert data["audit"]["report_sha256"] == outcome.report_sha256 == \
        report.audit.report_sha256
    assert data["ledger"]["recorded"] == report.ledger.recorded > 0


def test_example_file_csv_stream(screener, tmp_path):
    out = io.StringIO()
    stream_screen(screener, EXAMPLES_CSV, out, "csv")
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert len(rows) == 41 and rows[0][-5] == "status"
    assert out.getvalue() == in_memory(screener, EXAMPLES_CSV, "csv")


def test_cli_jobs_and_quiet(tmp_path, capsys):
    from screener.cli import main
    path = synthetic(tmp_path / "s.csv", rows=CHUNK_ROWS + 1)
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    assert main(["screen", str(path), "--no-ledger", "--format", "json", "--jobs", "1",
                 "-o", str(one), "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["screen", str(path), "--no-ledger", "--format", "json", "--jobs", "2",
                 "-o", str(two), "--quiet"]) == 0
    first, second = json.loads(one.read_text()), json.loads(two.read_text())
    assert first["results"] == second["results"]
    assert first["summary"] == second["summary"]


def test_screener_built_in_a_worker_uses_overlays(tmp_path):
    overlay = tmp_path / "o"
    overlay.mkdir()
    (overlay / "d.yaml").write_text("disable: [2321-op28-copper-nickel-silver-zinc]\n",
                                    encoding="utf-8")
    from screener import load_rules
    screener = Screener(load_rules(ROOT / "rules", overlay))
    path = synthetic(tmp_path / "s.csv", rows=CHUNK_ROWS + 3)
    out = io.StringIO()
    stream_screen(screener, path, out, "json", jobs=2,
                  pack_dirs=[str(ROOT / "rules"), str(overlay)])
    data = json.loads(out.getvalue())
    assert "2321-op28-copper-nickel-silver-zinc" not in data["summary"]["by_rule"]


def test_duplicate_ids_across_chunks_and_in_repeated_id_columns(screener, tmp_path):
    path = tmp_path / "d.csv"
    lines = ["id,date,exporter_country,importer_country,hs_code,ID"]
    lines += [f"R{i},2019-01-14,CN,VN,1101,R{i}" for i in range(CHUNK_ROWS + 10)]
    lines += ["R5,2019-01-14,KP,CN,2603,R5", ",2019-01-14,KP,CN,2603,R7"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    streamed = io.StringIO()
    stream_screen(screener, path, streamed, "json", jobs=2, pack_dirs=[str(ROOT / "rules")])
    assert streamed.getvalue() == in_memory(screener, path, "json")
    results = json.loads(streamed.getvalue())["results"]
    assert "already used by row 6" in results[-2]["errors"][0]["message"]
    assert "already used by row 8" in results[-1]["errors"][0]["message"]
