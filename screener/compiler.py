"""Compile YAML rules (Rule models) into condition trees, which the engine hands to
durable_rules and the explainer evaluates in Python. Work here happens once per rule pack.

Each rule yields:
- its main condition (direction, goods, dates, `when`): firing gives the rule's verdict;
- one condition per exception with a `when` (main condition and the exception's tests);
- review conditions for goods the row does not identify cleanly: an "ex" HS code without a
  description naming the goods, or a description naming the goods beside an HS code the rule
  does not list (HS says flour, text says gold). They count only when the main condition
  did not fire.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from .conditions import (
    Absent,
    All,
    Cmp,
    Eq,
    Ne,
    Node,
    NotEq,
    all_of,
    any_of,
    leaves,
    required_clauses,
)
from .facts import PLAIN_COLUMNS, engine_number, fact_key
from .keywords import KeywordIndex
from .loader import RulePack
from .rule_model import Condition, HsCode, Rule, RuleException
from .tables import Tables
from .text import fold
from .transaction import BOOL_COLUMNS, COUNTRY_COLUMNS, NUMBER_COLUMNS, Transaction

REVIEW_REASONS = {
    "ex": "the HS code also covers goods outside the provision and there is no description "
          "to say which",
    "mismatch": "the description names goods the provision covers but the HS code is not one "
                "of its codes: HS code and description disagree",
}


@dataclass(frozen=True)
class GoodsNodes:
    main: Node | None  # None: the rule is about every good (all_goods)
    reviews: tuple[tuple[str, Node], ...] = ()


@dataclass(frozen=True)
class CompiledException:
    exception: RuleException
    node: Node


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    node: Node
    exceptions: tuple[CompiledException, ...]  # only those decidable from the record
    reviews: tuple[tuple[str, Node], ...]  # (reason key, condition)

    def labelled(self) -> list[tuple[str, Node]]:
        """Every condition to give the engine, with the label it fires under."""
        out = [(self.rule.id, self.node)]
        out += [(f"{self.rule.id}#{e.exception.id}", e.node) for e in self.exceptions]
        out += [(f"{self.rule.id}?{kind}", node) for kind, node in self.reviews]
        return out


@dataclass(frozen=True)
class CompiledPack:
    rules: tuple[CompiledRule, ...]
    keywords: KeywordIndex
    case_goods: dict[str, Node]  # case id -> goods condition
    # Pre-filter: key/value pairs of which a fact must hold one for any condition to fire
    # (the union of every condition's first necessary clause: its direction, in practice).
    # None when some condition has no such clause (then every row goes to the engine).
    gate: frozenset[tuple[str, Any]] | None
    columns: frozenset[str]  # transaction columns some condition tests: all a fact needs

    def labelled(self) -> list[tuple[str, Node]]:
        return [pair for rule in self.rules for pair in rule.labelled()]

    def is_relevant(self, fact: dict[str, Any]) -> bool:
        """False when no rule can fire for this fact, so it need not reach the engine. Only the
        gate is checked: measured, a full per-condition check cost more on DPRK rows than the
        engine calls it saved."""
        if self.gate is None:
            return True
        return any(fact.get(key) == value for key, value in self.gate)

    @cached_property
    def column_gate(self) -> tuple[tuple[str, frozenset[Any]], ...] | None:
        """The gate as (transaction column, values) when every gate key is a plain column
        (countries, in the shipped pack): then a row can be cleared from its Transaction
        before any fact is built. None when the gate needs derived keys."""
        if self.gate is None:
            return None
        plain = {fact_key(c): c for c in PLAIN_COLUMNS}
        if not all(key in plain for key, _ in self.gate):
            return None
        by_column: dict[str, set[Any]] = {}
        for key, value in self.gate:
            by_column.setdefault(plain[key], set()).add(value)
        return tuple((column, frozenset(values)) for column, values in by_column.items())

    def may_fire(self, tx: Transaction) -> bool:
        """Cheap pre-check on the transaction itself; True means "build the fact and ask"."""
        gate = self.column_gate
        if gate is None:
            return True
        fields = tx.__dict__
        return any(fields[column] in values for column, values in gate)


def compile_pack(pack: RulePack) -> CompiledPack:
    keywords = KeywordIndex(
        [k for r in pack.rules for k in (*r.keywords, *r.exclude_keywords)]
        + [k for c in pack.cases.values() for g in c.goods for k in g.keywords])
    rules = tuple(_compile_rule(rule, pack, keywords) for rule in pack.rules)
    case_goods = {}
    for case in pack.cases.values():
        nodes = [goods_nodes(g.hs_codes, g.keywords, keywords).main for g in case.goods]
        case_goods[case.id] = any_of(n for n in nodes if n is not None)
    nodes = [node for rule in rules for _, node in rule.labelled()]
    clauses = [required_clauses(node) for node in nodes]
    gate = frozenset().union(*(c[0] for c in clauses)) if all(clauses) else None
    columns = frozenset(leaf.column for node in nodes for leaf in leaves(node)
                        if leaf.key == fact_key(leaf.column))
    return CompiledPack(rules, keywords, case_goods, gate, columns)


def _hs_leaf(h: HsCode) -> Eq:
    label = f" ({h.label})" if h.label else ""
    return Eq(f"hs{len(h.code)}", "hs_code", f"hs_code starts with {h.code}{label}", h.code)


def goods_nodes(hs_codes: list[HsCode], keywords: list[str], index: KeywordIndex,
                exclude: Sequence[str] = ()) -> GoodsNodes:
    """HS prefixes decide when the row has an HS code; keywords when it has none, or beside an
    "ex" code. A keyword beside an unlisted HS code is a review (mismatch)."""
    plain = [_hs_leaf(h) for h in hs_codes if not h.ex]
    ex = [_hs_leaf(h) for h in hs_codes if h.ex]
    branches: list[Node] = list(plain)
    reviews: list[tuple[str, Node]] = []
    if keywords:
        unless = [Absent(index.key(k), "description", f"description does not mention {k!r}")
                  for k in exclude]
        named = all_of([any_of(Eq(index.key(k), "description", f"description mentions {k!r}",
                                  True) for k in keywords), *unless])
        branches.append(All((Eq("has_hs", "hs_code", "no hs_code given", False), named)))
        if ex:
            branches.append(All((any_of(ex), named)))
        reviews.append(("mismatch", All((Eq("has_hs", "hs_code", "hs_code given", True),
                                         named))))
    if ex:
        # Only without a description: one that does not name the goods says they are others.
        reviews.append(("ex", All((any_of(ex), Eq("has_description", "description",
                                                  "no description given", False)))))
    return GoodsNodes(any_of(branches) if branches else None, tuple(reviews))


def _compile_rule(rule: Rule, pack: RulePack, keywords: KeywordIndex) -> CompiledRule:
    tables = pack.tables
    country = tables.countries.resolve(rule.country)
    columns = pack.manifest.directions[rule.direction].fields
    direction = any_of(Eq(c, c, f"{c} is {country}", country) for c in columns)
    assert rule.in_force_from is not None  # set by the model validator
    dates: list[Node] = [Cmp("date", "date", f"date on or after {rule.in_force_from} "
                         "(in force from)", "gte", rule.in_force_from.isoformat())]
    if rule.in_force_until:
        dates.append(Cmp("date", "date", f"date on or before {rule.in_force_until} "
                         "(in force until)", "lte", rule.in_force_until.isoformat()))
    when = [_condition(col, cond, tables) for col, cond in rule.when.items()]
    goods = goods_nodes(rule.hs_codes, rule.keywords, keywords, rule.exclude_keywords)

    def with_goods(goods_node: Node | None) -> Node:
        parts = [direction, goods_node, *dates, *when]
        return all_of(p for p in parts if p is not None)

    node = with_goods(goods.main)
    exceptions = []
    for exc in rule.exceptions:
        if not exc.decidable:
            continue
        parts: list[Node] = [node]
        if exc.hs_codes:
            exc_goods = goods_nodes(exc.hs_codes, [], keywords).main
            assert exc_goods is not None
            parts.append(exc_goods)
        parts += [_condition(col, cond, tables) for col, cond in (exc.when or {}).items()]
        exceptions.append(CompiledException(exc, all_of(parts)))
    reviews = tuple((kind, with_goods(review)) for kind, review in goods.reviews)
    return CompiledRule(rule, node, tuple(exceptions), reviews)


def _literal(column: str, value: Any, tables: Tables) -> Any:
    """Bring a YAML literal into the form build_fact gives the same column."""
    if column in COUNTRY_COLUMNS:
        return tables.countries.resolve(str(value))
    if column in NUMBER_COLUMNS:
        return engine_number(float(value))
    if column in BOOL_COLUMNS:
        return bool(value)
    if isinstance(value, date):
        return value.isoformat()
    if column == "unit":
        return tables.units.resolve(str(value)) or str(value)
    return fold(str(value))


def _condition(column: str, cond: Condition, tables: Tables) -> Node:
    key = fact_key(column)
    parts: list[Node] = []

    def lit(value: Any) -> Any:
        return _literal(column, value, tables)

    if cond.equals is not None:
        parts.append(Eq(key, column, f"{column} is {cond.equals!r}", lit(cond.equals)))
    if cond.not_equals is not None:
        parts.append(NotEq(key, column, f"{column} is not {cond.not_equals!r}",
                           lit(cond.not_equals)))
    if cond.in_ is not None:
        parts.append(any_of(Eq(key, column, f"{column} is {v!r}", lit(v)) for v in cond.in_))
    if cond.not_in is not None:
        parts.append(all_of(Ne(key, column, f"{column} is not {v!r}", lit(v))
                            for v in cond.not_in))
    for op in ("gt", "gte", "lt", "lte"):
        bound = getattr(cond, op)
        if bound is not None:
            parts.append(Cmp(key, column, f"{column} {op} {bound}", op, lit(bound)))
    return all_of(parts)
