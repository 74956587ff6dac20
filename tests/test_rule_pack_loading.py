"""Rule files are validated: every problem is reported, at the file, line and column of the
offending key or value, naming the rule id; nothing half-loads."""

from __future__ import annotations

import shutil

import pytest

from screener import RulePackError, load_rules
from screener.loader import check_rules

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
RULE_LINES = GOOD_RULE.count("\n") - 1  # the appended key follows rule a on line RULE_LINES+2


def make_pack(tmp_path, body: str):
    pack = tmp_path / "pack"
    (pack / "r").mkdir(parents=True, exist_ok=True)
    (pack / "r" / "rules.yaml").write_text("rules:" + body, encoding="utf-8")
    return pack


def line_of(body: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing `needle` in the file "rules:" + body."""
    lines = ("rules:" + body).splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if needle in line]
    return hits[occurrence - 1]


def line_of_column(body: str, needle: str) -> int:
    line = ("rules:" + body).splitlines()[line_of(body, needle) - 1]
    return line.index(needle) - (1 if line[line.index(needle) - 1] == '"' else 0) + 1


def problems(tmp_path, body):
    with pytest.raises(RulePackError) as info:
        load_rules(make_pack(tmp_path, body))
    return info.value.problems


def test_unknown_key_is_located_with_a_suggestion(tmp_path):
    found = problems(tmp_path, GOOD_RULE.format(id="a") + "    hs_code: ['2603']\n")
    assert len(found) == 1
    problem = found[0]
    assert problem.file.endswith("rules.yaml")
    assert (problem.line, problem.column) == (RULE_LINES + 2, 5)
    assert problem.rule_id == "a" and problem.code == "unknown-key"
    assert "rule a: hs_code: unknown key (did you mean 'hs_codes'?)" in problem.message
    assert str(problem).endswith(f"rules.yaml:{RULE_LINES + 2}:5: error: {problem.message}")


def test_all_problems_are_reported_together(tmp_path):
    body = (GOOD_RULE.format(id="a").replace("2016-11-30", "30/11/2016")
            + GOOD_RULE.format(id="b").replace('"2603"', '"26O3"')
            + GOOD_RULE.format(id="c") + "    precedents: [no-such-case]\n"
            + GOOD_RULE.format(id="c"))
    found = problems(tmp_path, body)
    text = "\n".join(str(p) for p in found)
    assert len(found) == 4, text
    by_rule = {(p.rule_id, p.code): p for p in found}
    adopted = by_rule[("a", "invalid-value")]
    assert adopted.line == line_of(body, "30/11/2016") and "rule a: adopted" in adopted.message
    hs = by_rule[("b", "invalid-value")]
    assert hs.line == line_of(body, "26O3") and "not made of digits" in hs.message
    assert hs.column == line_of_column(body, "26O3")
    precedent = by_rule[("c", "unknown-case")]
    assert precedent.line == line_of(body, "no-such-case")
    assert "precedent 'no-such-case' is not a known case" in precedent.message
    duplicate = by_rule[("c", "duplicate-id")]
    assert duplicate.line == line_of(body, "id: c", 2) and "duplicate id" in duplicate.message


def test_in_force_dates_must_be_ordered(tmp_path):
    body = GOOD_RULE.format(id="a") + "    in_force_from: 2016-01-01\n"
    found = problems(tmp_path, body)
    assert "before the adoption date" in found[0].message
    assert found[0].line == RULE_LINES + 2  # the in_force_from key
    body = GOOD_RULE.format(id="a") + "    in_force_until: 2016-01-01\n"
    assert "in_force_until 2016-01-01 is before" in problems(tmp_path, body)[0].message


def test_rule_without_goods_is_refused(tmp_path):
    body = GOOD_RULE.format(id="a").replace('    hs_codes: ["2603"]\n', "")
    assert "names no goods" in problems(tmp_path, body)[0].message


def test_unknown_direction_and_column(tmp_path):
    body = (GOOD_RULE.format(id="a").replace("export_from", "sideways")
            + "    when: {vesel_flag: {equals: KP}}\n")
    found = {p.code: p for p in problems(tmp_path, body)}
    assert "direction 'sideways'" in found["unknown-direction"].message
    column = found["unknown-column"]
    assert "'vesel_flag' is not a transaction column (did you mean 'vessel_flag'?)" in \
        column.message
    assert (column.line, column.column) == (RULE_LINES + 2, 12)


def test_yaml_syntax_error_and_duplicate_keys(tmp_path):
    found = problems(tmp_path, "\n  - id: [unclosed\n")
    assert "YAML syntax error" in found[0].message and found[0].line >= 2
    body = GOOD_RULE.format(id="a") + "    goods: zinc\n"
    dup = problems(tmp_path, body)[0]
    assert "duplicate key 'goods'" in dup.message and dup.line == RULE_LINES + 2


def test_superseded_by_must_exist(tmp_path):
    body = GOOD_RULE.format(id="a") + "    superseded_by: ghost\n"
    assert "superseded_by 'ghost'" in problems(tmp_path, body)[0].message


def test_yaml_tags_that_build_objects_are_refused(tmp_path):
    body = GOOD_RULE.format(id="a") + "    notes: !!python/object/apply:os.system [echo]\n"
    assert "YAML syntax error" in problems(tmp_path, body)[0].message


def test_wrong_type_names_the_field(tmp_path):
    body = GOOD_RULE.format(id="a") + "    precedents: not-a-list\n"
    found = problems(tmp_path, body)
    assert found[0].message.startswith("rule a: precedents:")


def test_broken_case_file_is_reported(tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(ROOT / "rules", copy / "rules")
    shutil.copytree(ROOT / "cases", copy / "cases")
    (copy / "cases" / "bad.yaml").write_text("id: bad\ntitle: x\n", encoding="utf-8")
    with pytest.raises(RulePackError) as info:
        load_rules(copy / "rules")
    assert any(p.file.endswith("bad.yaml") and "case: outlet: Field required" in p.message
               for p in info.value.problems)


def test_missing_directory():
    with pytest.raises(RulePackError, match="not found"):
        load_rules("/nonexistent/rules")


def test_check_rules_returns_problems_without_raising(tmp_path):
    pack, found = check_rules(make_pack(tmp_path, GOOD_RULE.format(id="a") + "    x: 1\n"))
    assert pack is None and found[0].code == "unknown-key"


def test_alias_bomb_is_refused_quickly(tmp_path):
    import time
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 9):
        prev = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("rules: [*i]")
    pack = tmp_path / "bomb"
    pack.mkdir()
    (pack / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(RulePackError) as info:
        load_rules(pack)
    assert time.perf_counter() - start < 5
    assert "alias bomb" in info.value.problems[0].message


def test_huge_rule_file_is_refused_before_reading(tmp_path):
    import time
    pack = tmp_path / "huge"
    pack.mkdir()
    with (pack / "huge.yaml").open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # 100 MB, sparse
    start = time.perf_counter()
    with pytest.raises(RulePackError) as info:
        load_rules(pack)
    assert time.perf_counter() - start < 5
    assert "limited to" in info.value.problems[0].message
