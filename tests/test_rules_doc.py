"""docs/rules.md is generated from the YAML and must be regenerated when the pack changes."""

from __future__ import annotations

from screener.cli import main
from screener.docs import rules_markdown

from .conftest import ROOT


def test_committed_rules_reference_is_fresh(pack):
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_markdown(pack), (
        "docs/rules.md is stale: run `.venv/bin/screener rules doc --output docs/rules.md`")


def test_reference_lists_every_rule_with_citation(pack):
    text = rules_markdown(pack)
    for rule in pack.rules:
        assert f"| {rule.citation} | `{rule.id}` |" in text


def test_cli_writes_the_reference(tmp_path):
    out = tmp_path / "rules.md"
    assert main(["rules", "doc", "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("# Rule pack `un-dprk`")
