"""Audit trail, reproducibility, `screener diff`, and safe CSV/XLSX exports."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import openpyxl
import pytest

from screener import Screener, load_rules
from screener.audit import AuditLog
from screener.cli import main
from screener.report import report_sha256

from .conftest import EXAMPLES_CSV, ROOT, record

INJECTION = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(1)", "\tTAB", "\rCR"]


def test_every_cli_run_is_audited_and_the_report_embeds_the_header(tmp_path, capsys):
    log = tmp_path / "audit.sqlite"
    out = tmp_path / "r.json"
    assert main(["screen", str(EXAMPLES_CSV), "--no-ledger", "--audit", str(log),
                 "--format", "json", "-o", str(out)]) == 0
    report = json.loads(out.read_text())
    header = report["audit"]
    run = AuditLog(log).run(header["run_id"])
    assert run.status == "complete" and run.interface == "cli"
    assert run.input_name == str(EXAMPLES_CSV)
    assert run.input_sha256 == __import__("hashlib").sha256(EXAMPLES_CSV.read_bytes()) \
        .hexdigest()
    assert run.ruleset_sha256 == report["ruleset"]["sha256"]
    assert run.counts == {k: report["summary"][k]
                          for k in ("violation", "review", "clear", "error")}
    assert run.rows == report["summary"]["rows"] == 40
    assert run.report_sha256 == header["report_sha256"]
    # the recorded hash is the hash of the report without its audit header
    without = {k: v for k, v in report.items() if k != "audit"}
    from screener import Report
    assert report_sha256(Report.model_validate(without)) == run.report_sha256
    capsys.readouterr()
    assert main(["audit", "list", "--audit", str(log)]) == 0
    listing = capsys.readouterr().out
    assert f"#{run.run_id}" in listing and "complete" in listing
    assert main(["audit", "show", str(run.run_id), "--audit", str(log)]) == 0
    assert json.loads(capsys.readouterr().out)["report_sha256"] == run.report_sha256


def test_api_audit_true_and_failed_runs(tmp_path, screener, monkeypatch):
    log = AuditLog(tmp_path / "a.sqlite")
    report = screener.screen([record()], audit=log)
    assert report.audit.status == "complete" and report.audit.interface == "api"
    monkeypatch.setenv("SCREENER_AUDIT", str(tmp_path / "default.sqlite"))
    assert screener.screen([record()], audit=True).audit.run_id == 1
    with pytest.raises(AttributeError):
        screener.screen([record(hs_code="2710", description="diesel", exporter_country="CN",
                                importer_country="KP")], audit=log,
                        ledger="not a ledger")  # type: ignore[arg-type]
    runs = log.runs()
    assert [r.status for r in runs] == ["complete", "failed"]
    assert "AttributeError" in runs[1].error


def test_the_audit_log_is_append_only(tmp_path, screener):
    log = AuditLog(tmp_path / "a.sqlite")
    screener.screen([record()], audit=log)
    db = sqlite3.connect(log.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM runs")
    with pytest.raises(sqlite3.DatabaseError, match="cannot be changed"):
        db.execute("UPDATE runs SET rows = 0")
    db.close()


def test_same_input_same_rules_gives_byte_identical_findings(tmp_path):
    reports = []
    for attempt in range(2):
        out = tmp_path / f"r{attempt}.json"
        assert main(["screen", str(EXAMPLES_CSV), "--no-ledger", "--format", "json",
                     "-o", str(out)]) == 0
        reports.append(json.loads(out.read_text()))
    first, second = (json.dumps(r["results"], sort_keys=True) for r in reports)
    assert first == second
    assert reports[0]["audit"]["report_sha256"] == reports[1]["audit"]["report_sha256"]
    assert reports[0]["audit"]["run_id"] != reports[1]["audit"]["run_id"]


def test_a_run_killed_mid_way_is_recorded_incomplete(tmp_path):
    log = tmp_path / "audit.sqlite"
    env = {**os.environ, "SCREENER_AUDIT": str(log), "SCREENER_LEDGER": str(tmp_path / "l")}
    small = subprocess.run([sys.executable, "-m", "screener.cli", "screen", str(EXAMPLES_CSV),
                            "--no-ledger", "-o", str(tmp_path / "ok.txt")], env=env,
                           capture_output=True, text=True, check=False)
    assert small.returncode == 0, small.stderr
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8") as handle:
        handle.write("id,date,exporter_country,importer_country,hs_code\n")
        for i in range(300_000):
            handle.write(f"B{i},2019-01-14,{'KP' if i % 2 else 'CN'},VN,2603\n")
    proc = subprocess.Popen([sys.executable, "-m", "screener.cli", "screen", str(big),
                             "--no-ledger", "-o", str(tmp_path / "big.txt")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        runs = AuditLog(log).runs()
        if len(runs) == 2:
            break
        time.sleep(0.1)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    runs = AuditLog(log).runs()
    assert [r.status for r in runs] == ["complete", "running"]
    assert runs[0].rows == 40 and runs[0].report_sha256
    assert runs[1].input_name == str(big) and runs[1].rows is None


def test_diff_lists_rows_whose_status_or_citations_changed(tmp_path, capsys):
    old = tmp_path / "old.json"
    new = tmp_path / "new.json"
    assert main(["screen", str(EXAMPLES_CSV), "--no-ledger", "--format", "json", "-o",
                 str(old)]) == 0
    # a rule-pack update: the institution stops reviewing crude oil deliveries and adds a
    # molybdenum rule
    overlay = tmp_path / "update"
    overlay.mkdir()
    (overlay / "u.yaml").write_text("""disable: [2397-op4-crude-oil]
rules:
  - id: bank-molybdenum
    title: Molybdenum from the DPRK (bank policy)
    resolution: "2397"
    paragraph: "6"
    adopted: 2017-12-22
    direction: export_from
    goods: molybdenum ores and concentrates
    hs_codes: ["2613"]
    verdict: review
""", encoding="utf-8")
    assert main(["screen", str(EXAMPLES_CSV), "--no-ledger", "--rules", str(ROOT / "rules"),
                 "--rules", str(overlay), "--format", "json", "-o", str(new)]) == 0
    capsys.readouterr()
    assert main(["diff", str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 row(s) changed:")
    assert "CHIL-MO-1 (row 3): clear -> review  [+ UNSCR 2397 OP6]" in out
    assert "NAM-CRUDE-1 (row 29): violation -> clear  [- UNSCR 2397 OP4]" in out
    assert main(["diff", str(old), str(old), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_diff_refuses_files_that_are_not_reports(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": 1}', encoding="utf-8")
    assert main(["diff", str(bad), str(bad)]) == 2
    assert "not a screener JSON report" in capsys.readouterr().err


def _injection_csv(tmp_path):
    src = tmp_path / "inject.csv"
    lines = ["id,date,exporter_country,importer_country,hs_code,description,remarks"]
    for i, payload in enumerate(INJECTION):
        quoted = '"' + payload.replace('"', '""') + '"'
        lines.append(f"I{i},2019-01-14,KP,CN,2603,{quoted},{quoted}")
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return src


def test_csv_export_neutralises_every_dangerous_start(tmp_path):
    src = _injection_csv(tmp_path)
    out = tmp_path / "out.csv"
    assert main(["screen", str(src), "--no-ledger", "--format", "csv", "-o", str(out)]) == 0
    import csv
    rows = list(csv.reader(out.open(encoding="utf-8", newline="")))
    cells = [row[5] for row in rows[1:]] + [row[6] for row in rows[1:]]
    assert all(cell.startswith("'") for cell in cells), cells
    assert {cell[1:] for cell in cells} == set(INJECTION)


def test_xlsx_export_has_no_formulas_and_the_verdicts(tmp_path):
    src = _injection_csv(tmp_path)
    out = tmp_path / "out.xlsx"
    assert main(["screen", str(src), "--no-ledger", "--format", "xlsx", "-o", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Summary", "Results", "Findings"]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@\t\r":
                    pytest.fail(f"unneutralised {cell.value!r} in {sheet.title}")
    results = list(book["Results"].iter_rows(values_only=True))
    assert results[0][-5:] == ("status", "rule_ids", "citations", "precedents", "errors")
    assert {r[-5] for r in results[1:]} == {"violation"}
    summary = dict(book["Summary"].iter_rows(values_only=True))
    assert summary["violation"] == len(INJECTION) and summary["audit run"] >= 1


def test_xlsx_needs_an_output_path(capsys):
    assert main(["screen", str(EXAMPLES_CSV), "--format", "xlsx"]) == 2
    assert "--output" in capsys.readouterr().err


def test_screener_default_pack_load_is_independent_of_audit(tmp_path):
    shutil.copy(EXAMPLES_CSV, tmp_path / "t.csv")
    report = Screener(load_rules()).screen(tmp_path / "t.csv")
    assert report.audit is None
