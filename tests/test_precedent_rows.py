"""The bundled example file: each reported incident is flagged with the right provision and
cites its case; the clean rows stay clean."""

from __future__ import annotations

import pytest

EXPECTED = {
    # id: (status, citations, precedent that must be cited)
    "O39-AU-1": ("violation", {"UNSCR 2270 OP30"}, "rfa-2020-08-office39-gold"),
    "CHIL-CE-1": ("violation", {"UNSCR 2270 OP30"}, "rfa-2021-03-chilsung-ore-trader"),
    "CHIL-MO-1": ("clear", set(), None),
    "HYE-CU-1": ("violation", {"UNSCR 2321 OP28"}, "dailynk-2019-01-hyesan-concentrate"),
    "HYE-ZN-1": ("violation", {"UNSCR 2321 OP28"}, "dailynk-2019-01-hyesan-concentrate"),
    "HYE-W-1": ("clear", set(), None),
    "HYE-FOOD-1": ("clear", set(), None),
    "SAM-MIN-1": ("review", {"UNSCR 2371 OP8"}, "dailynk-2024-07-samjang-minerals-for-food"),
    "SAM-FOOD-1": ("clear", set(), None),
    "NAM-COAL-1": ("violation", {"UNSCR 2371 OP8", "UNSCR 2375 OP11"},
                   "dailynk-2020-05-nampo-mineral-ships"),
    "NAM-FE-1": ("violation", {"UNSCR 2371 OP8", "UNSCR 2375 OP11"},
                 "dailynk-2020-05-nampo-mineral-ships"),
    "NAM-AU-1": ("violation", {"UNSCR 2270 OP30"}, "dailynk-2020-05-nampo-mineral-ships"),
    "NAM-FERT-1": ("clear", set(), None),
    "CLEAN-KR-1": ("clear", set(), None),
    "CLEAN-KOR-2": ("clear", set(), None),
    "CLEAN-CN-1": ("clear", set(), None),
    "PRE-2016-1": ("clear", set(), None),
    "COAL-2016-1": ("violation", {"UNSCR 2270 OP29"}, None),
    "COAL-2017-1": ("review", {"UNSCR 2321 OP26"}, None),
    "RAJIN-1": ("review", {"UNSCR 2371 OP8"}, None),
    "ERR-DATE-1": ("error", set(), None),
    "ERR-MANY-1": ("error", set(), None),
    "HYE-MGO-1": ("violation", {"UNSCR 2397 OP6"}, "dailynk-2019-01-hyesan-concentrate"),
    "HYE-WOOD-1": ("violation", {"UNSCR 2397 OP6"}, "dailynk-2019-01-hyesan-concentrate"),
    "HYE-HERB-1": ("violation", {"UNSCR 2397 OP6"}, "dailynk-2019-01-hyesan-concentrate"),
    "HYE-PARTS-1": ("violation", {"UNSCR 2397 OP7"}, "dailynk-2019-01-hyesan-concentrate"),
    "HYE-DSL-1": ("violation", {"UNSCR 2397 OP5"}, "dailynk-2019-01-hyesan-concentrate"),
    "NAM-MGO-1": ("violation", {"UNSCR 2397 OP6", "UNSCR 2375 OP11"},
                  "dailynk-2020-05-nampo-mineral-ships"),
    "NAM-CRUDE-1": ("violation", {"UNSCR 2397 OP4"}, "dailynk-2020-05-nampo-mineral-ships"),
    "NAM-CORN-1": ("clear", set(), None),
    "SEA-PRE-1": ("clear", set(), None),
    "SEA-WIND-1": ("review", {"UNSCR 2371 OP9"}, None),
    "SEA-POST-1": ("violation", {"UNSCR 2371 OP9"}, None),
    "TEX-PRE-1": ("clear", set(), None),
    "TEX-POST-1": ("violation", {"UNSCR 2375 OP16"}, None),
    "MGO-PRE-1": ("clear", set(), None),
    "MISMATCH-1": ("review", {"UNSCR 2270 OP30"}, None),
    "STS-1": ("violation", {"UNSCR 2375 OP11"}, None),
    "AVGAS-1": ("violation", {"UNSCR 2270 OP31"}, None),
    "LUX-1": ("review", {"UNSCR 1718 OP8(a)(iii)"}, None),
}


def test_every_row_has_an_expectation_and_one_result(example_report, example_rows):
    assert [r.id for r in example_report.results] == [row["id"] for row in example_rows]
    assert set(EXPECTED) == {row["id"] for row in example_rows}


@pytest.mark.parametrize("row_id", sorted(EXPECTED))
def test_example_row(example_report, row_id):
    status, citations, precedent = EXPECTED[row_id]
    result = next(r for r in example_report.results if r.id == row_id)
    assert result.status == status, (result.findings, result.errors)
    assert {f.citation for f in result.findings} == citations
    if precedent:
        assert any(precedent in f.precedents for f in result.findings)


def test_every_case_has_a_row_in_the_example_file(pack, example_rows):
    referenced = {row["case_ref"] for row in example_rows if row["case_ref"]}
    assert referenced == set(pack.cases)


def test_flagged_case_rows_cite_their_own_case(example_report, example_rows):
    case_of = {row["id"]: row["case_ref"] for row in example_rows}
    for result in example_report.results:
        case = case_of[result.id]
        if case and result.status in ("violation", "review"):
            cited = {c for f in result.findings for c in f.precedents}
            assert case in cited, result.id


def test_citation_fields_are_plain_numbers(example_report):
    findings = [f for r in example_report.results for f in r.findings]
    assert findings
    for f in findings:
        assert f.resolution.isdigit() and f.paragraph.isdigit()
        assert f.citation == f"UNSCR {f.resolution} OP{f.paragraph}{f.subparagraph or ''}"


def test_extra_columns_are_passed_through(example_report):
    first = example_report.results[0]
    assert first.extra["case_ref"] == "rfa-2020-08-office39-gold"
    assert "notes" in first.extra
