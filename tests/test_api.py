"""The Python API: `from screener import Screener, load_rules`."""

from __future__ import annotations

import os
import subprocess
import sys

from pydantic import BaseModel

from screener import Report, Screener, Transaction, load_rules

from .conftest import EXAMPLES_CSV, ROOT, record


class Shipment(BaseModel):
    id: str
    date: str
    exporter_country: str
    importer_country: str
    hs_code: str


def test_screen_accepts_dicts_models_and_paths(screener):
    from_dict = screener.screen([record()])
    from_model = screener.screen([Shipment(**record())])
    from_path = screener.screen(EXAMPLES_CSV)
    assert isinstance(from_dict, Report) and isinstance(from_path, Report)
    assert from_dict.results[0].findings == from_model.results[0].findings
    assert from_path.source == str(EXAMPLES_CSV)


def test_screen_accepts_transactions(screener, pack):
    tx = Transaction.model_validate(record(), context={"tables": pack.tables})
    result = screener.screen([tx]).results[0]
    assert result.status == "violation"


def test_screen_iter_yields_results_in_order(screener):
    ids = [r.id for r in screener.screen_iter([record(id="a"), record(id="b", hs_code="1101")])]
    assert ids == ["a", "b"]


def test_non_mapping_record_is_an_error_not_a_crash(screener):
    results = screener.screen([record(), 42]).results
    assert [r.status for r in results] == ["violation", "error"]


def test_default_pack_works_from_any_directory(tmp_path):
    code = ("from screener import Screener\n"
            "r = Screener.default().screen([{'id': 'a', 'date': '2019-01-14', "
            "'exporter_country': 'KP', 'importer_country': 'CN', 'hs_code': '2603'}])\n"
            "print(r.results[0].findings[0].citation)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONPATH": ""})
    assert out.stdout.strip() == "UNSCR 2321 OP28"


def test_two_screeners_with_different_packs_in_one_process(tmp_path, screener):
    local = tmp_path / "local"
    (local / "x").mkdir(parents=True)
    (local / "x" / "molybdenum.yaml").write_text("""
rules:
  - id: local-molybdenum
    title: Molybdenum from the DPRK (institution policy)
    resolution: "9999"
    paragraph: "1"
    adopted: 2018-01-01
    direction: export_from
    goods: molybdenum ores and concentrates
    hs_codes: ["2613"]
    keywords: [molybdenum]
    examples:
      match:
        - {id: a, date: 2019-01-01, exporter_country: KP, importer_country: CN, hs_code: "2613"}
      no_match:
        - {id: b, date: 2019-01-01, exporter_country: KP, importer_country: CN, hs_code: "2603"}
""", encoding="utf-8")
    other = Screener(load_rules(local))
    rows = [record(id="mo", hs_code="2613.90"), record(id="cu", hs_code="2603")]
    shipped = screener.screen(rows).results
    mine = other.screen(rows).results
    assert [r.status for r in shipped] == ["clear", "violation"]
    assert [r.status for r in mine] == ["violation", "clear"]
    # and the first screener is unaffected afterwards
    assert [r.status for r in screener.screen(rows).results] == ["clear", "violation"]
    assert other.ruleset_info.name == "local" and other.ruleset_info.sha256 != \
        screener.ruleset_info.sha256


def test_rule_pack_hash_changes_with_content(tmp_path):
    import shutil
    copy = tmp_path / "pack"
    shutil.copytree(ROOT / "rules", copy / "rules")
    shutil.copytree(ROOT / "cases", copy / "cases")
    before = load_rules(copy / "rules").sha256
    assert before == load_rules(ROOT / "rules").sha256
    path = copy / "rules" / "dprk" / "2321.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert load_rules(copy / "rules").sha256 != before
