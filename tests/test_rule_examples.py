"""Every shipped rule's own examples, run through the real engine with the whole pack: the
same check as `screener rules test`."""

from __future__ import annotations

import pytest

from screener import Screener, load_rules
from screener.rule_tests import format_outcomes, run_examples

from .conftest import ROOT

PACK = load_rules(ROOT / "rules")
OUTCOMES = run_examples(Screener(PACK))


def test_every_rule_ships_positive_and_negative_examples():
    for rule in PACK.rules:
        assert rule.examples.match, f"{rule.id} has no must-match example"
        assert rule.examples.no_match, f"{rule.id} has no must-not-match example"


@pytest.mark.parametrize("outcome", OUTCOMES,
                         ids=[f"{o.rule_id}:{o.kind}[{o.index}]" for o in OUTCOMES])
def test_rule_example(outcome):
    assert outcome.passed, outcome.detail


def test_runner_reports_misses_and_extras(tmp_path):
    (tmp_path / "r.yaml").write_text("""
rules:
  - id: broken
    title: A rule whose examples are wrong
    resolution: "2321"
    paragraph: "28"
    adopted: 2016-11-30
    direction: export_from
    goods: copper
    hs_codes: ["2603"]
    examples:
      match:
        - {id: m1, date: 2016-01-01, exporter_country: KP, importer_country: CN, hs_code: "2603"}
        - record: {id: m2, date: 2019-01-01, exporter_country: KP, importer_country: CN,
                   hs_code: "2603"}
          expect: {verdict: review, citation: UNSCR 2321 OP28}
      no_match:
        - {id: n1, date: 2019-01-01, exporter_country: KP, importer_country: CN, hs_code: "2603"}
""", encoding="utf-8")
    outcomes = run_examples(Screener(load_rules(tmp_path)))
    assert [o.passed for o in outcomes] == [False, False, False]
    assert outcomes[0].detail.startswith("missed")
    assert "verdict 'violation', expected 'review'" in outcomes[1].detail
    assert outcomes[2].detail.startswith("extra")
    table = format_outcomes(outcomes)
    assert "broken" in table and "FAIL" in table and "3 failed" in table
