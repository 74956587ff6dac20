"""The rule authors' toolkit: validate, test, explain, schema, lints and overlays."""

from __future__ import annotations

import json
import shutil

import jsonschema
import pytest
import yaml

from screener import Screener, load_rules
from screener.cli import main
from screener.lints import lint
from screener.schema import SCHEMAS, schema_json

from .conftest import EXAMPLES_CSV, ROOT, record

BROKEN = """rules:
  - id: broken-one
    titel: Copper from the DPRK
    resolution: "2321"
    paragraph: "28"
    adopted: 2016-13-01
    direction: export_from
    goods: copper
    hs_codes: ["26x3"]
    precedents: [no-such-case]
  - id: broken-two
    title: Zinc
    resolution: "2321"
    paragraph: "28"
    adopted: 2016-11-30
    in_force_until: 2016-01-01
    direction: export_from
    goods: zinc
    hs_codes: []
    superseded_by: ghost
"""


def test_validate_reports_every_problem_with_line_and_column(tmp_path, capsys):
    pack = tmp_path / "local"
    pack.mkdir()
    (pack / "bad.yaml").write_text(BROKEN, encoding="utf-8")
    assert main(["rules", "validate", str(pack)]) == 1
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert any(":3:5: error: rule broken-one: titel: unknown key (did you mean 'title'?)" in line
               for line in lines)
    assert any(":6:14: error: rule broken-one: adopted:" in line for line in lines)
    assert any(":9:16: error: rule broken-one: hs_codes.0.code: HS code '26x3'" in line
               for line in lines)
    assert any(":2:5: error: rule broken-one: title: Field required" in line for line in lines)
    assert any(":16:5: error: rule broken-two: in_force_until" in line for line in lines)
    assert any(":19:5: error: rule broken-two: hs_codes: the rule names no goods" in line
               for line in lines)
    assert any(":20:20: error: rule broken-two: superseded_by 'ghost'" in line
               for line in lines)
    assert lines == sorted(lines, key=lambda line: int(line.split(":")[1]))


def test_validate_cross_references_and_json_format(tmp_path, capsys):
    pack = tmp_path / "local"
    pack.mkdir()
    (pack / "bad.yaml").write_text(BROKEN.replace("titel", "title").replace("2016-13-01",
                                   "2016-11-30").replace("26x3", "2603")
                                   .replace("in_force_until: 2016-01-01", "notes: x")
                                   .replace("hs_codes: []", "hs_codes: ['2608']"),
                                   encoding="utf-8")
    assert main(["rules", "validate", str(pack), "--format", "json", "--no-lint"]) == 1
    data = json.loads(capsys.readouterr().out)
    found = {(p["code"], p["line"]) for p in data["problems"]}
    assert ("unknown-case", 10) in found and ("unknown-rule", 20) in found
    assert data["errors"] == 2


def test_validate_a_single_file_and_the_shipped_pack(capsys):
    assert main(["rules", "validate", str(ROOT / "rules" / "dprk" / "2321.yaml")]) == 0
    assert main(["rules", "validate"]) == 0
    out = capsys.readouterr().out
    assert "error" not in out and "[no-precedent]" in out


def test_validate_duplicate_ids_across_files(tmp_path, capsys):
    pack = tmp_path / "local"
    pack.mkdir()
    rule = BROKEN.split("  - id: broken-two")[0].replace("titel", "title") \
        .replace("2016-13-01", "2016-11-30").replace("26x3", "2603") \
        .replace("    precedents: [no-such-case]\n", "")
    (pack / "a.yaml").write_text(rule, encoding="utf-8")
    (pack / "b.yaml").write_text(rule, encoding="utf-8")
    assert main(["rules", "validate", str(pack), "--no-lint"]) == 1
    out = capsys.readouterr().out
    assert "b.yaml:2:9: error: rule broken-one: duplicate id (also in" in out


def test_rules_test_passes_for_the_shipped_pack_and_catches_a_broken_example(tmp_path,
                                                                             capsys):
    assert main(["rules", "test"]) == 0
    assert "all passed" in capsys.readouterr().out
    copy = tmp_path / "pack"
    shutil.copytree(ROOT / "rules", copy / "rules")
    shutil.copytree(ROOT / "cases", copy / "cases")
    path = copy / "rules" / "dprk" / "2321.yaml"
    text = path.read_text(encoding="utf-8")
    # an example that no longer matches: the copper example moved before adoption
    path.write_text(text.replace("{id: m1, date: 2019-01-14, exporter_country: KP",
                                 "{id: m1, date: 2015-01-14, exporter_country: KP"),
                    encoding="utf-8")
    assert main(["rules", "test", "--rules", str(copy / "rules")]) == 1
    out = capsys.readouterr().out
    assert "2321-op28-copper-nickel-silver-zinc" in out and "FAIL" in out
    assert "match[0] m1: missed" in out


def test_explain_shows_the_failed_date_condition(capsys):
    rec = json.dumps(record(date="2016-11-29"))
    assert main(["explain", "--rule", "2321-op28-copper-nickel-silver-zinc", rec]) == 0
    out = capsys.readouterr().out
    assert "✗ date on or after 2016-11-30 (in force from)  [date = 2016-11-29]" in out
    assert "✓ exporter_country is KP" in out
    assert "result: does not fire: date on or after 2016-11-30" in out


def test_explain_from_csv_shows_exception_and_engine(capsys):
    assert main(["explain", "--rule", "2371-op8-coal-iron-iron-ore", "--csv",
                 str(EXAMPLES_CSV), "--row", "20"]) == 0
    out = capsys.readouterr().out
    assert "✓ rajin-transit (review)" in out
    assert "engine (durable_rules) fired: 2371-op8-coal-iron-iron-ore" in out
    assert "result: FIRES, review under UNSCR 2371 OP8" in out


def test_explain_unknown_rule_is_a_clear_error(capsys):
    assert main(["explain", "--rule", "nope", json.dumps(record())]) == 2
    assert "no rule 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_committed_schemas_are_fresh(kind):
    committed = (ROOT / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert committed == schema_json(kind), (
        f"schemas/{kind}.schema.json is stale: run `.venv/bin/screener schema {kind} > "
        f"schemas/{kind}.schema.json`")


def _as_json(path):
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")),
                                 default=str))


def test_shipped_files_validate_against_the_schemas_and_name_them():
    rules_schema = json.loads(schema_json("rules"))
    cases_schema = json.loads(schema_json("cases"))
    rule_files = sorted((ROOT / "rules" / "dprk").glob("*.yaml"))
    case_files = sorted((ROOT / "cases").glob("*.yaml"))
    assert rule_files and case_files
    for path in rule_files:
        jsonschema.validate(_as_json(path), rules_schema)
        assert path.read_text(encoding="utf-8").startswith(
            "# yaml-language-server: $schema=../../schemas/rules.schema.json")
    for path in case_files:
        jsonschema.validate(_as_json(path), cases_schema)
        assert path.read_text(encoding="utf-8").startswith(
            "# yaml-language-server: $schema=../schemas/cases.schema.json")


def test_schema_rejects_an_unknown_key():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"rules": [{"id": "x", "titel": "y"}]},
                            json.loads(schema_json("rules")))


def test_lints_have_ids_and_can_be_silenced(tmp_path):
    pack = tmp_path / "local"
    pack.mkdir()
    rule = """rules:
  - id: local-copper
    title: Copper
    resolution: "2321"
    paragraph: "28"
    adopted: 2016-11-30
    direction: export_from
    goods: copper
    hs_codes: ["74"]
    keywords: [copper]
    examples:
      match:
        - {id: m, date: 2019-01-01, exporter_country: KP, importer_country: CN, hs_code: "7403"}
      no_match:
        - {id: n, date: 2019-01-01, exporter_country: KP, importer_country: CN,
           description: copper, hs_code: "2603"}
"""
    (pack / "r.yaml").write_text(rule, encoding="utf-8")
    codes = {p.code for p in lint(load_rules(pack))}
    assert {"no-precedent", "no-reference", "short-hs", "keyword-in-clean-example"} <= codes
    (pack / "r.yaml").write_text(rule.replace(
        "    keywords: [copper]\n",
        "    keywords: [copper]\n    lint_ignore: [no-precedent, short-hs, bogus]\n"),
        encoding="utf-8")
    codes = {p.code for p in lint(load_rules(pack))}
    assert "no-precedent" not in codes and "short-hs" not in codes
    assert "unknown-lint" in codes


def test_overlap_lint_flags_rules_on_the_same_goods(tmp_path):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "x.yaml").write_text("""rules:
  - id: local-zinc
    title: Zinc concentrate, local policy
    resolution: "2321"
    paragraph: "28"
    adopted: 2016-11-30
    direction: export_from
    goods: zinc
    hs_codes: ["2608"]
    precedents: [dailynk-2019-01-hyesan-concentrate]
    references: [https://example.org]
""", encoding="utf-8")
    found = [p for p in lint(load_rules(ROOT / "rules", overlay)) if p.code == "overlap"]
    assert any("local-zinc" in p.message and "2321-op28" in p.message for p in found)


def test_overlay_disables_a_shipped_rule_and_adds_another(tmp_path, capsys):
    overlay = tmp_path / "bank-policy"
    overlay.mkdir()
    (overlay / "policy.yaml").write_text("""disable: [1718-op8-luxury-tableware]
rules:
  - id: bank-molybdenum
    title: Molybdenum from the DPRK (bank policy, US measures)
    resolution: "2397"
    paragraph: "6"
    adopted: 2017-12-22
    direction: export_from
    goods: molybdenum ores and concentrates
    hs_codes: ["2613"]
    verdict: review
  - id: 2371-op10-lead
    override: true
    title: Lead and lead ore from the DPRK (bank reads 'lead' broadly)
    resolution: "2371"
    paragraph: "10"
    adopted: 2017-08-05
    direction: export_from
    goods: lead and lead ore
    hs_codes: ["2607", "78"]
    keywords: [lead]
""", encoding="utf-8")
    pack = load_rules(ROOT / "rules", overlay)
    ids = {r.id for r in pack.rules}
    assert "1718-op8-luxury-tableware" not in ids and "bank-molybdenum" in ids
    assert pack.rule("2371-op10-lead").keywords == ["lead"]
    assert pack.name == "un-dprk+bank-policy"
    rows = [record(id="mo", hs_code="2613.90", date="2019-01-01"),
            record(id="tw", exporter_country="CN", importer_country="KP", hs_code="6911.10",
                   value_usd="5000", date="2019-01-01"),
            record(id="pb", hs_code=None, description="lead", date="2019-01-01")]
    mine = {r.id: [f.rule_id for f in r.findings] for r in Screener(pack).screen(rows).results}
    assert mine == {"mo": ["bank-molybdenum"], "tw": [], "pb": ["2371-op10-lead"]}
    shipped = {r.id: [f.rule_id for f in r.findings]
               for r in Screener(load_rules()).screen(rows).results}
    assert shipped == {"mo": [], "tw": ["1718-op8-luxury-tableware"], "pb": []}
    # the CLI takes the same directories
    assert main(["screen", str(EXAMPLES_CSV), "--rules", str(ROOT / "rules"), "--rules",
                 str(overlay), "--format", "json", "--output", str(tmp_path / "r.json")]) == 0
    assert json.loads((tmp_path / "r.json").read_text())["ruleset"]["name"] == \
        "un-dprk+bank-policy"


def test_overlay_without_override_flag_is_a_duplicate(tmp_path):
    overlay = tmp_path / "o"
    overlay.mkdir()
    (overlay / "p.yaml").write_text("""rules:
  - id: 2371-op10-lead
    title: Lead
    resolution: "2371"
    paragraph: "10"
    adopted: 2017-08-05
    direction: export_from
    goods: lead
    hs_codes: ["2607"]
disable: [no-such-rule]
""", encoding="utf-8")
    from screener import RulePackError
    with pytest.raises(RulePackError) as info:
        load_rules(ROOT / "rules", overlay)
    messages = [p.message for p in info.value.problems]
    assert any("duplicate id" in m and "override: true" in m for m in messages)
    assert any("no rule 'no-such-rule' to disable" in m for m in messages)
