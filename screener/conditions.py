"""A tiny condition tree with two back ends: durable_rules JSON (what the engine evaluates) and
plain Python (used to explain a firing: which leaves held, with which values).

Leaves test one key of the *fact* (the flattened record posted to durable_rules, see facts.py)
and remember the transaction column they speak about, so explanations name real columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

Fact = dict[str, Any]

_DURABLE_OP = {"gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}
_PY_OP = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


@dataclass(frozen=True)
class Leaf:
    key: str
    column: str
    text: str


@dataclass(frozen=True)
class Eq(Leaf):
    value: Any

    def to_durable(self) -> dict:
        return {self.key: self.value}

    def test(self, fact: Fact) -> bool:
        return self.key in fact and fact[self.key] == self.value

    def witness(self, fact: Fact) -> list[Leaf]:
        return [self] if self.test(fact) else []


@dataclass(frozen=True)
class Ne(Leaf):
    """True when the key is present and differs (absent never satisfies a negative test)."""

    value: Any

    def to_durable(self) -> dict:
        return {"$and": [{"$ex": {self.key: 1}}, {"$neq": {self.key: self.value}}]}

    def test(self, fact: Fact) -> bool:
        return self.key in fact and fact[self.key] != self.value

    def witness(self, fact: Fact) -> list[Leaf]:
        return [self] if self.test(fact) else []


@dataclass(frozen=True)
class NotEq(Leaf):
    """True when the key is absent or differs ("not notified" includes "not stated")."""

    value: Any

    def to_durable(self) -> dict:
        # durable_rules' $neq is false on a missing key, hence the explicit $nex branch.
        return {"$or": [{"$nex": {self.key: 1}}, {"$neq": {self.key: self.value}}]}

    def test(self, fact: Fact) -> bool:
        return fact.get(self.key) != self.value

    def witness(self, fact: Fact) -> list[Leaf]:
        return [self] if self.test(fact) else []


@dataclass(frozen=True)
class Absent(Leaf):
    """True when the key is missing (only ever used beside positive tests: a rule on absence
    alone loops forever in durable_rules)."""

    def to_durable(self) -> dict:
        return {"$nex": {self.key: 1}}

    def test(self, fact: Fact) -> bool:
        return self.key not in fact

    def witness(self, fact: Fact) -> list[Leaf]:
        return []


@dataclass(frozen=True)
class Cmp(Leaf):
    op: str
    value: Any

    def to_durable(self) -> dict:
        return {_DURABLE_OP[self.op]: {self.key: self.value}}

    def test(self, fact: Fact) -> bool:
        return self.key in fact and _PY_OP[self.op](fact[self.key], self.value)

    def witness(self, fact: Fact) -> list[Leaf]:
        return [self] if self.test(fact) else []


@dataclass(frozen=True)
class All:
    children: tuple[Node, ...]

    def to_durable(self) -> dict:
        return {"$and": [c.to_durable() for c in self.children]}

    def test(self, fact: Fact) -> bool:
        return all(c.test(fact) for c in self.children)

    def witness(self, fact: Fact) -> list[Leaf]:
        if not self.test(fact):
            return []
        return [leaf for c in self.children for leaf in c.witness(fact)]


@dataclass(frozen=True)
class Any_:
    children: tuple[Node, ...]

    def to_durable(self) -> dict:
        return {"$or": [c.to_durable() for c in self.children]}

    def test(self, fact: Fact) -> bool:
        return any(c.test(fact) for c in self.children)

    def witness(self, fact: Fact) -> list[Leaf]:
        return [leaf for c in self.children for leaf in c.witness(fact)]


Node = Eq | Ne | NotEq | Absent | Cmp | All | Any_


def all_of(children: Iterable[Node]) -> Node:
    items = tuple(children)
    return items[0] if len(items) == 1 else All(items)


def any_of(children: Iterable[Node]) -> Node:
    items = tuple(children)
    return items[0] if len(items) == 1 else Any_(items)


def required_clauses(node: Node) -> list[frozenset[tuple[str, Any]]]:
    """A necessary condition for `node`, as clauses that must all hold, each satisfied by any
    one of its key/value pairs. Used to keep rows that no rule can match away from the engine;
    an empty list means no cheap necessary condition exists."""
    if isinstance(node, Eq):
        return [frozenset({(node.key, node.value)})]
    if isinstance(node, All):
        return [clause for child in node.children for clause in required_clauses(child)]
    if isinstance(node, Any_):
        firsts = [required_clauses(child) for child in node.children]
        if all(firsts):
            return [frozenset().union(*(clauses[0] for clauses in firsts))]
    return []


def leaves(node: Node) -> Iterator[Leaf]:
    if isinstance(node, All | Any_):
        for child in node.children:
            yield from leaves(child)
    else:
        yield node
