"""`screener explain`: why one rule did or did not fire for one record, condition by condition.

The trace evaluates the rule's compiled condition tree in Python to show every test with the
record's value, and asks the real engine which labels fire, so the two can be compared.
"""

from __future__ import annotations

from typing import Any

from .conditions import All, Any_, Leaf, Node
from .facts import build_fact
from .ingest import parse_row, split_columns
from .screener import Screener
from .transaction import Transaction

MARK = {True: "✓", False: "✗"}


def _value(tx: Transaction, column: str) -> Any:
    value = getattr(tx, column, None)
    return "(blank)" if value is None else value


def _tree(node: Node, fact: dict[str, Any], tx: Transaction, depth: int) -> list[str]:
    pad = "  " * depth
    held = node.test(fact)
    if isinstance(node, All | Any_):
        word = "all of" if isinstance(node, All) else "any of"
        lines = [f"{pad}{MARK[held]} {word}:"]
        for child in node.children:
            lines += _tree(child, fact, tx, depth + 1)
        return lines
    assert isinstance(node, Leaf)
    return [f"{pad}{MARK[held]} {node.text}  [{node.column} = {_value(tx, node.column)}]"]


def _failed_leaves(node: Node, fact: dict[str, Any]) -> list[Leaf]:
    if node.test(fact):
        return []
    if isinstance(node, All):
        return [leaf for c in node.children for leaf in _failed_leaves(c, fact)]
    if isinstance(node, Any_):
        return [leaf for c in node.children for leaf in _failed_leaves(c, fact)]
    assert isinstance(node, Leaf)
    return [node]


def explain(screener: Screener, rule_id: str, record: dict[str, Any], row: int = 1) -> str:
    compiled = next((r for r in screener.compiled.rules if r.rule.id == rule_id), None)
    if compiled is None:
        known = ", ".join(r.id for r in screener.pack.rules)
        raise KeyError(f"no rule {rule_id!r} in pack {screener.pack.name} (rules: {known})")
    rule = compiled.rule
    lines = [f"rule {rule.id}: {rule.title}",
             f"  {rule.citation}, adopted {rule.adopted}; verdict {rule.verdict}"]
    tx, errors, _ = parse_row(split_columns(record, row), screener.pack.tables)
    if tx is None:
        lines.append("the record cannot be screened:")
        lines += [f"  {e.message}" for e in errors]
        return "\n".join(lines) + "\n"
    fact = build_fact(tx, f"explain-{id(record)}", screener.compiled.keywords)
    lines += ["", "conditions:", *_tree(compiled.node, fact, tx, 1)]
    if compiled.exceptions or any(not e.decidable for e in rule.exceptions):
        lines += ["", "exceptions:"]
    for exc in compiled.exceptions:
        own = exc.node.children[1:] if isinstance(exc.node, All) else ()
        applies = exc.node.test(fact)
        lines.append(f"  {MARK[applies]} {exc.exception.id} ({exc.exception.effect}): "
                     f"{' '.join(exc.exception.description.split())}")
        for child in own:
            lines += _tree(child, fact, tx, 2)
    for exc in rule.exceptions:
        if not exc.decidable:
            lines.append(f"  ? {exc.id}: cannot be decided from the record: "
                         f"{' '.join(exc.description.split())}")
    for kind, node in compiled.reviews:
        if node.test(fact) and not compiled.node.test(fact):
            lines += ["", f"review branch {kind!r} holds:", *_tree(node, fact, tx, 1)]
    fired = screener.engine.fire(fact)
    mine = [label for label in fired if label.partition("#")[0].partition("?")[0] == rule.id]
    result = screener.screen_transaction(tx, row)
    finding = next((f for f in result.findings if f.rule_id == rule.id), None)
    exempt = next((e for e in result.exemptions if e.rule_id == rule.id), None)
    lines += ["", f"engine (durable_rules) fired: {', '.join(mine) or 'nothing'} for this rule"]
    if finding is not None:
        lines.append(f"result: FIRES, {finding.verdict} under {finding.citation}")
        lines += [f"  note: {c}" for c in finding.caveats]
    elif exempt is not None:
        lines.append(f"result: exempt by exception {exempt.exception_id}")
    else:
        failed = _failed_leaves(compiled.node, fact)
        reasons = "; ".join(f"{leaf.text} is not met ({leaf.column} = "
                            f"{_value(tx, leaf.column)})" for leaf in failed)
        lines.append(f"result: does not fire: {reasons}")
    return "\n".join(lines) + "\n"
