"""Rule files are validated: problems name the file and the rule id; nothing half-loads."""

from __future__ import annotations

import shutil

import pytest

from screener import RulePackError, load_rules

from .conftest import ROOT

GOOD_RULE = """
  - id: {id}
    title: Test rule
    resolution: "2321"
    paragraph: "28"
    adopted: 2016-11-30
    direction: export_from
    goods: copper
    hs_codes: ["2603"]
"""


def make_pack(tmp_path, body: str):
    pack = tmp_path / "pack"
    (pack / "r").mkdir(parents=True, exist_ok=True)
    (pack / "r" / "rules.yaml").write_text("rules:" + body, encoding="utf-8")
    return pack


def problems(tmp_path, body):
    with pytest.raises(RulePackError) as info:
        load_rules(make_pack(tmp_path, body))
    return info.value.problems


def test_unknown_key_names_file_rule_and_key(tmp_path):
    found = problems(tmp_path, GOOD_RULE.format(id="a") + "    hs_code: ['2603']\n")
    assert len(found) == 1
    assert "rules.yaml: rule a: hs_code: unknown key" in found[0]


def test_all_problems_are_reported_together(tmp_path):
    body = (GOOD_RULE.format(id="a").replace("2016-11-30", "30/11/2016")
            + GOOD_RULE.format(id="b").replace('"2603"', '"26O3"')
            + GOOD_RULE.format(id="c") + "    precedents: [no-such-case]\n"
            + GOOD_RULE.format(id="c"))
    found = "\n".join(problems(tmp_path, body))
    assert "rule a: adopted" in found
    assert "rule b: hs_codes.0.code" in found and "not made of digits" in found
    assert "rule c: precedent 'no-such-case' is not a known case" in found
    assert "rule c: duplicate id" in found


def test_in_force_dates_must_be_ordered(tmp_path):
    body = GOOD_RULE.format(id="a") + "    in_force_from: 2016-01-01\n"
    assert "before the adoption date" in problems(tmp_path, body)[0]
    body = GOOD_RULE.format(id="a") + "    in_force_until: 2016-01-01\n"
    assert "in_force_until 2016-01-01 is before" in problems(tmp_path, body)[0]


def test_rule_without_goods_is_refused(tmp_path):
    body = GOOD_RULE.format(id="a").replace('    hs_codes: ["2603"]\n', "")
    assert "names no goods" in problems(tmp_path, body)[0]


def test_unknown_direction_and_column(tmp_path):
    body = (GOOD_RULE.format(id="a").replace("export_from", "sideways")
            + "    when: {vessel_colour: {equals: red}}\n")
    found = "\n".join(problems(tmp_path, body))
    assert "direction 'sideways'" in found
    assert "'vessel_colour' is not a transaction column" in found


def test_yaml_syntax_error_and_duplicate_keys(tmp_path):
    assert "YAML syntax error" in problems(tmp_path, "\n  - id: [unclosed\n")[0]
    body = GOOD_RULE.format(id="a") + "    goods: zinc\n"
    assert "duplicate key 'goods'" in problems(tmp_path, body)[0]


def test_superseded_by_must_exist(tmp_path):
    body = GOOD_RULE.format(id="a") + "    superseded_by: ghost\n"
    assert "superseded_by 'ghost'" in problems(tmp_path, body)[0]


def test_yaml_tags_that_build_objects_are_refused(tmp_path):
    body = GOOD_RULE.format(id="a") + "    notes: !!python/object/apply:os.system [echo]\n"
    assert "YAML syntax error" in problems(tmp_path, body)[0]


def test_broken_case_file_is_reported(tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(ROOT / "rules", copy / "rules")
    shutil.copytree(ROOT / "cases", copy / "cases")
    (copy / "cases" / "bad.yaml").write_text("id: bad\ntitle: x\n", encoding="utf-8")
    with pytest.raises(RulePackError) as info:
        load_rules(copy / "rules")
    assert any("bad.yaml: case: outlet: Field required" in p for p in info.value.problems)


def test_missing_directory():
    with pytest.raises(RulePackError, match="not found"):
        load_rules("/nonexistent/rules")
