"""Run every rule's embedded examples through the real engine (`screener rules test`).

A must-match example fails when its rule does not fire (a miss) or fires with another verdict,
citation or precedents than it expects; a must-not-match example fails when its rule fires (an
extra match). Examples are screened against the whole pack, as real records are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .report import Finding
from .rule_model import Example
from .screener import Screener


@dataclass(frozen=True)
class ExampleOutcome:
    rule_id: str
    kind: Literal["match", "no_match"]
    index: int
    record_id: str
    passed: bool
    detail: str = ""


def _check_match(rule_id: str, example: Example, finding: Finding | None,
                 fired: list[str]) -> str:
    if finding is None:
        return f"missed: the rule did not fire (fired: {', '.join(fired) or 'nothing'})"
    expect = example.expect
    if expect is None:
        return ""
    problems = []
    if expect.verdict and finding.verdict != expect.verdict:
        problems.append(f"verdict {finding.verdict!r}, expected {expect.verdict!r}")
    if expect.citation and finding.citation != expect.citation:
        problems.append(f"citation {finding.citation!r}, expected {expect.citation!r}")
    if expect.precedents is not None and sorted(finding.precedents) != sorted(expect.precedents):
        problems.append(f"precedents {finding.precedents}, expected {expect.precedents}")
    return "; ".join(problems)


def run_examples(screener: Screener, rule_ids: set[str] | None = None) -> list[ExampleOutcome]:
    outcomes = []
    for rule in screener.pack.rules:
        if rule_ids is not None and rule.id not in rule_ids:
            continue
        for kind in ("match", "no_match"):
            for index, example in enumerate(getattr(rule.examples, kind)):
                result = screener.screen([example.record]).results[0]
                record_id = str(example.record.get("id", f"#{index + 1}"))
                if result.status == "error":
                    detail = "invalid example record: " + "; ".join(
                        e.message for e in result.errors)
                    outcomes.append(ExampleOutcome(rule.id, kind, index, record_id, False,
                                                   detail))
                    continue
                fired = [f.rule_id for f in result.findings]
                fired += [e.rule_id for e in result.exemptions]
                finding = next((f for f in result.findings if f.rule_id == rule.id), None)
                if kind == "match":
                    exempt = any(e.rule_id == rule.id for e in result.exemptions)
                    detail = "" if exempt and example.expect is None else \
                        _check_match(rule.id, example, finding, fired)
                else:
                    detail = f"extra: the rule fired ({finding.explanation})" if finding else ""
                outcomes.append(ExampleOutcome(rule.id, kind, index, record_id, not detail,
                                               detail))
    return outcomes


def format_outcomes(outcomes: list[ExampleOutcome]) -> str:
    by_rule: dict[str, list[ExampleOutcome]] = {}
    for outcome in outcomes:
        by_rule.setdefault(outcome.rule_id, []).append(outcome)
    width = max((len(r) for r in by_rule), default=4)
    lines = [f"{'RULE'.ljust(width)}  MATCH  NO_MATCH  RESULT"]
    for rule_id, items in by_rule.items():
        def score(kind: str, items: list[ExampleOutcome] = items) -> str:
            of_kind = [o for o in items if o.kind == kind]
            return f"{sum(o.passed for o in of_kind)}/{len(of_kind)}"
        ok = all(o.passed for o in items)
        lines.append(f"{rule_id.ljust(width)}  {score('match'):>5}  {score('no_match'):>8}  "
                     f"{'pass' if ok else 'FAIL'}")
        for o in items:
            if not o.passed:
                lines.append(f"    {o.kind}[{o.index}] {o.record_id}: {o.detail}")
    failed = sum(not o.passed for o in outcomes)
    lines.append(f"{len(outcomes)} examples, {len(by_rule)} rules: "
                 + (f"{failed} failed" if failed else "all passed"))
    return "\n".join(lines) + "\n"
