"""Every shipped rule's own examples, run through the real engine with the whole pack."""

from __future__ import annotations

import pytest

from screener import load_rules

from .conftest import ROOT

PACK = load_rules(ROOT / "rules")
CASES = [(rule.id, kind, index, example)
         for rule in PACK.rules
         for kind in ("match", "no_match")
         for index, example in enumerate(getattr(rule.examples, kind))]


def test_every_rule_ships_positive_and_negative_examples():
    for rule in PACK.rules:
        assert rule.examples.match, f"{rule.id} has no must-match example"
        assert rule.examples.no_match, f"{rule.id} has no must-not-match example"


@pytest.mark.parametrize(("rule_id", "kind", "index", "example"), CASES,
                         ids=[f"{c[0]}:{c[1]}[{c[2]}]" for c in CASES])
def test_rule_example(screener, rule_id, kind, index, example):
    result = screener.screen([example]).results[0]
    assert result.status != "error", result.errors
    fired = [f.rule_id for f in result.findings] + [e.rule_id for e in result.exemptions]
    if kind == "match":
        assert rule_id in fired, f"{rule_id} should match {example}; fired {fired}"
    else:
        assert rule_id not in fired, f"{rule_id} should not match {example}"
