"""The only module that talks to durable_rules (unmaintained since 2020: keep it behind this).

Measured facts this design follows (../shared/notes/durable-rules.md):
- `post` fires only the first matching rule, so each record is asserted as a fact (every
  matching rule fires once) and retracted straight after;
- "no rule matched" raises MessageNotHandledException: that is the normal case, not an error;
- each Host starts two threads that never stop, so one Host is made per Screener and reused;
- a Host shared between threads silently loses hits, so `fire` holds a lock;
- batch calls lost records in trials: records go in one at a time;
- durable_rules expands `$or` into alternatives that fire separately, so a fact meeting two
  branches (exporter and origin both KP) fires the same rule twice: hits are de-duplicated.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import threading
from typing import Any

from durable import engine as durable

from .conditions import Node

_ruleset_names = itertools.count()


class RuleEngine:
    """One durable_rules ruleset holding every compiled condition of one rule pack."""

    def __init__(self, conditions: list[tuple[str, Node]]):
        self._hits: list[str] = []
        self._lock = threading.Lock()
        self._name = f"screener_{next(_ruleset_names)}"
        definition: dict[str, Any] = {}
        for index, (label, node) in enumerate(conditions):
            definition[f"r{index}"] = {"all": [{"m": node.to_durable()}],
                                       "run": self._action(label)}
        self.definition = copy.deepcopy({k: {"all": v["all"]} for k, v in definition.items()})
        self._host = durable.Host()
        # register_rulesets mutates what it is given: hand it a private copy.
        self._host.register_rulesets({self._name: definition})

    def _action(self, label: str):
        def fired(_context: Any) -> None:
            self._hits.append(label)
        return fired

    def fire(self, fact: dict[str, Any]) -> list[str]:
        """Labels of every condition the fact satisfies, in rule-pack order."""
        with self._lock:
            self._hits = []
            try:
                self._host.assert_fact(self._name, fact)
            except durable.MessageNotHandledException:
                return []
            with contextlib.suppress(durable.MessageNotHandledException):
                self._host.retract_fact(self._name, fact)
            return list(dict.fromkeys(self._hits))
