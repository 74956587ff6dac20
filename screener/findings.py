"""Turn the labels durable_rules fired for one fact into explained, cited findings."""

from __future__ import annotations

from typing import Any

from .compiler import REVIEW_REASONS, CompiledPack, CompiledRule
from .conditions import Leaf, Node
from .fastmodel import construct
from .loader import RulePack
from .report import Exemption, Finding, Match
from .transaction import Transaction


def _column_value(tx: Transaction, column: str) -> Any:
    value = getattr(tx, column)
    return value.isoformat() if column == "date" else value


def _matches(leaves: list[Leaf], tx: Transaction) -> list[Match]:
    seen: set[str] = set()
    out = []
    for leaf in leaves:
        if leaf.text in seen:
            continue
        seen.add(leaf.text)
        out.append(construct(Match, {"column": leaf.column,
                                     "value": _column_value(tx, leaf.column),
                                     "condition": leaf.text}))
    return out


def build_findings(fired: list[str], fact: dict[str, Any], tx: Transaction, pack: RulePack,
                   compiled: CompiledPack) -> tuple[list[Finding], list[Exemption]]:
    """`fired` holds the engine's labels: "rule_id", "rule_id#exception_id" and
    "rule_id?review_reason" (see CompiledRule.labelled)."""
    findings: list[Finding] = []
    exemptions: list[Exemption] = []
    if not fired:
        return findings, exemptions
    fired_set = set(fired)
    touched = {label.partition("#")[0].partition("?")[0] for label in fired}
    for item in compiled.rules:
        rule = item.rule
        if rule.id not in touched:
            continue
        if rule.id not in fired_set:
            review = next(((kind, node) for kind, node in item.reviews
                           if f"{rule.id}?{kind}" in fired_set), None)
            if review is not None:
                findings.append(_review_finding(item, review, fact, tx, pack, compiled))
            continue
        applied = [c.exception for c in item.exceptions if f"{rule.id}#{c.exception.id}"
                   in fired_set]
        exempt = [e for e in applied if e.effect == "exempt"]
        if exempt:
            exemptions += [Exemption(rule_id=rule.id, citation=rule.citation,
                                     exception_id=e.id, description=e.description)
                           for e in exempt]
            continue
        findings.append(_finding(item, applied, fact, tx, pack, compiled))
    return findings, exemptions


def _review_finding(item: CompiledRule, review: tuple[str, Node], fact: dict[str, Any],
                    tx: Transaction, pack: RulePack, compiled: CompiledPack) -> Finding:
    kind, node = review
    finding = _finding(item, [], fact, tx, pack, compiled, node)
    reason = REVIEW_REASONS[kind]
    finding.verdict = "review"
    finding.review_reason = kind
    finding.caveats.insert(0, f"review: {reason}")
    finding.explanation += f" Review: {reason}."
    return finding


def _finding(item: CompiledRule, applied: list, fact: dict[str, Any], tx: Transaction,
             pack: RulePack, compiled: CompiledPack, node: Node | None = None) -> Finding:
    rule = item.rule
    conditions = _matches((node or item.node).witness(fact), tx)
    verdict = "review" if applied else rule.verdict
    caveats = [f"exception {e.id} applies ({e.description}): flagged for review, not as a "
               "violation" for e in applied]
    caveats += [f"exception {e.id} cannot be decided from the record: {e.description}"
                for e in rule.exceptions if not e.decidable]
    precedents = [case_id for case_id in rule.precedents
                  if compiled.case_goods[case_id].test(fact)]
    reasons = "; ".join(m.condition for m in conditions)
    explanation = (f"{rule.citation} (adopted {rule.adopted}): {rule.title}. "
                   f"Matched: {reasons}.")
    # built without re-validation: every value is already typed (tests/test_engine.py)
    return construct(Finding, {
        "rule_id": rule.id, "title": rule.title, "resolution": rule.resolution,
        "paragraph": rule.paragraph, "subparagraph": rule.subparagraph,
        "citation": rule.citation, "adopted": rule.adopted, "verdict": verdict,
        "explanation": explanation, "matched": {m.column: m.value for m in conditions},
        "conditions": conditions, "precedents": precedents, "caveats": caveats,
        "references": list(rule.references), "exceptions_applied": [e.id for e in applied],
        "review_reason": None, "cap": None})
