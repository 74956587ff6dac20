"""Compile YAML rules (Rule models) into condition trees, which the engine hands to
durable_rules and the explainer evaluates in Python. Work here happens once per rule pack."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from .conditions import Absent, All, Cmp, Eq, Ne, Node, all_of, any_of, leaves, required_clauses
from .facts import fact_key
from .keywords import KeywordIndex
from .loader import RulePack
from .rule_model import Condition, HsCode, Rule, RuleException
from .tables import Tables
from .text import fold
from .transaction import BOOL_COLUMNS, COUNTRY_COLUMNS, NUMBER_COLUMNS


@dataclass(frozen=True)
class CompiledException:
    exception: RuleException
    node: Node


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    node: Node
    exceptions: tuple[CompiledException, ...]  # only those decidable from the record


@dataclass(frozen=True)
class CompiledPack:
    rules: tuple[CompiledRule, ...]
    keywords: KeywordIndex
    case_goods: dict[str, Node]  # case id -> goods condition
    # Pre-filter: per rule, clauses a fact must all meet (each by one key/value pair) for the
    # rule to possibly fire. None when some rule has no such condition (every row is relevant).
    relevant: tuple[list[frozenset[tuple[str, Any]]], ...] | None
    columns: frozenset[str]  # transaction columns some condition tests: all a fact needs

    @cached_property
    def _gate(self) -> tuple[tuple[str, Any], ...]:
        """Union of every rule's first clause: a row meeting none of it can match no rule.
        Checked first because it is one short loop and clears most rows."""
        assert self.relevant is not None
        return tuple(frozenset().union(*(clauses[0] for clauses in self.relevant)))

    def is_relevant(self, fact: dict[str, Any]) -> bool:
        if self.relevant is None:
            return True
        for key, value in self._gate:
            if fact.get(key) == value:
                break
        else:
            return False
        return any(all(any(fact.get(k) == v for k, v in clause) for clause in clauses)
                   for clauses in self.relevant)


def compile_pack(pack: RulePack) -> CompiledPack:
    keywords = KeywordIndex(
        [k for r in pack.rules for k in (*r.keywords, *r.exclude_keywords)]
        + [k for c in pack.cases.values() for g in c.goods for k in g.keywords])
    rules = tuple(_compile_rule(rule, pack, keywords) for rule in pack.rules)
    case_goods = {
        case.id: any_of(goods_condition(g.hs_codes, g.keywords, keywords) for g in case.goods)
        for case in pack.cases.values()}
    clauses = tuple(required_clauses(r.node) for r in rules)
    relevant = None if not all(clauses) else clauses
    nodes = [r.node for r in rules] + [e.node for r in rules for e in r.exceptions]
    columns = frozenset(leaf.column for node in nodes for leaf in leaves(node)
                        if leaf.key == fact_key(leaf.column))
    return CompiledPack(rules, keywords, case_goods, relevant, columns)


def goods_condition(hs_codes: list[HsCode], keywords: list[str], index: KeywordIndex,
                    exclude: Sequence[str] = ()) -> Node:
    """HS prefixes decide when the row has an HS code; keywords only when it has none."""
    branches: list[Node] = [
        Eq(f"hs{len(h.code)}", "hs_code",
           f"hs_code starts with {h.code}" + (f" ({h.label})" if h.label else ""), h.code)
        for h in hs_codes]
    if keywords:
        mentions = any_of(
            Eq(index.key(k), "description", f"description mentions {k!r}", True)
            for k in keywords)
        unless = [Absent(index.key(k), "description", f"description does not mention {k!r}")
                  for k in exclude]
        branches.append(All((Eq("has_hs", "hs_code", "no hs_code given", False), mentions,
                             *unless)))
    return any_of(branches)


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
    goods = goods_condition(rule.hs_codes, rule.keywords, keywords, rule.exclude_keywords)
    node = all_of([direction, goods,
                   *dates, *when])
    exceptions = []
    for exc in rule.exceptions:
        if exc.when is None:
            continue
        parts: list[Node] = [node]
        if exc.hs_codes:
            parts.append(goods_condition(exc.hs_codes, [], keywords))
        parts += [_condition(col, cond, tables) for col, cond in exc.when.items()]
        exceptions.append(CompiledException(exc, all_of(parts)))
    return CompiledRule(rule, node, tuple(exceptions))


def _literal(column: str, value: Any, tables: Tables) -> Any:
    """Bring a YAML literal into the form build_fact gives the same column."""
    if column in COUNTRY_COLUMNS:
        return tables.countries.resolve(str(value))
    if column in NUMBER_COLUMNS:
        return float(value)
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
