"""The JSON and CSV outputs are public interfaces."""

from __future__ import annotations

import csv
import json

from screener import Report
from screener.cli import main

from .conftest import EXAMPLES_CSV


def run_cli(*args):
    return main(["screen", str(EXAMPLES_CSV), *args])


def test_json_output_validates_against_the_report_model(tmp_path):
    out = tmp_path / "r.json"
    assert run_cli("--format", "json", "--output", str(out)) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    report = Report.model_validate(data)
    assert set(data) >= {"ruleset", "summary", "results"}
    assert set(data["ruleset"]) >= {"version", "sha256"}
    for result in data["results"]:
        assert set(result) >= {"row", "id", "status", "findings", "errors"}
        for finding in result["findings"]:
            assert set(finding) >= {"rule_id", "title", "resolution", "paragraph", "verdict",
                                    "explanation", "matched", "precedents"}
            assert isinstance(finding["resolution"], str)
            assert isinstance(finding["paragraph"], str)
    counts = {s: sum(r.status == s for r in report.results)
              for s in ("violation", "review", "clear", "error")}
    assert counts == {s: getattr(report.summary, s) for s in counts}
    assert [r["row"] for r in data["results"]] == list(range(1, len(data["results"]) + 1))


def test_json_lists_cited_precedents_with_their_source(tmp_path):
    out = tmp_path / "r.json"
    run_cli("--format", "json", "--output", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    cited = {c for r in data["results"] for f in r["findings"] for c in f["precedents"]}
    assert cited and set(data["precedents"]) == cited
    assert all(p["outlet"] and p["summary"] for p in data["precedents"].values())


def test_csv_output_is_the_input_with_verdict_columns(tmp_path):
    out = tmp_path / "r.csv"
    assert run_cli("--format", "csv", "--output", str(out)) == 0
    with EXAMPLES_CSV.open(newline="", encoding="utf-8") as handle:
        original = list(csv.reader(handle))
    with out.open(newline="", encoding="utf-8") as handle:
        written = list(csv.reader(handle))
    assert written[0] == original[0] + ["status", "rule_ids", "citations", "precedents",
                                        "errors"]
    assert len(written) == len(original)
    for before, after in zip(original[1:], written[1:], strict=True):
        assert after[: len(before)] == before
    rows = {r[0]: dict(zip(written[0], r, strict=True)) for r in written[1:]}
    assert rows["HYE-CU-1"]["status"] == "violation"
    assert rows["HYE-CU-1"]["citations"] == "UNSCR 2321 OP28"
    assert "dailynk-2019-01-hyesan-concentrate" in rows["HYE-CU-1"]["precedents"]
    assert rows["ERR-DATE-1"]["status"] == "error"
    assert "column 'date'" in rows["ERR-DATE-1"]["errors"]


def test_csv_output_neutralises_formulas(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,date,exporter_country,importer_country,hs_code,description\n"
                   "=HYPERLINK(\"x\"),2019-01-14,KP,CN,2603,@SUM(1)\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["screen", str(src), "--format", "csv", "--output", str(out)]) == 0
    row = list(csv.reader(out.open(encoding="utf-8")))[1]
    assert row[0].startswith("'=") and row[5].startswith("'@")


def test_table_output_names_rows_citations_and_cases(capsys):
    assert run_cli() == 0
    text = capsys.readouterr().out
    assert "40 rows" in text
    assert "UNSCR 2321 OP28" in text and "dailynk-2019-01-hyesan-concentrate" in text
    assert "row 21, column 'date'" in text


def test_fail_on_violation_exit_code(tmp_path):
    clean = tmp_path / "clean.csv"
    clean.write_text("id,date,exporter_country,importer_country,hs_code\n"
                     "a,2019-01-14,CN,VN,2701\n", encoding="utf-8")
    assert run_cli("--fail-on", "violation", "--output", str(tmp_path / "o.txt")) == 1
    assert main(["screen", str(clean), "--fail-on", "violation"]) == 0
