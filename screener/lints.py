"""Lints: warnings about rules that load but may not say what their author meant.

Each lint has an id; a rule silences one with `lint_ignore: [id]` (say why in its notes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from itertools import combinations

from .keywords import KeywordIndex
from .loader import RulePack
from .problems import Problem
from .rule_model import Rule
from .values import parse_date

LINTS: dict[str, str] = {
    "overlap": "two rules fire on the same goods, dates and direction and neither supersedes "
               "the other",
    "no-precedent": "the rule cites no precedent case",
    "no-reference": "the rule gives no reference URL for the resolution text",
    "short-hs": "an HS prefix shorter than 4 digits that the resolution does not print itself",
    "keyword-in-clean-example": "a keyword of the rule occurs in a must-not-match example "
                                "of the same direction and period (only its goods keep it "
                                "clean)",
    "unknown-lint": "lint_ignore names a lint that does not exist",
}

LintCheck = Callable[[RulePack], Iterator[Problem]]


def _warn(pack: RulePack, rule: Rule, code: str, message: str, *loc: str | int,
          key: bool = False) -> Problem:
    file, line, column = pack.sources[rule.id].locate(*loc, key=key)
    return Problem(file, line, column, "warning", code, f"rule {rule.id}: [{code}] {message}",
                   rule.id)


def _no_precedent(pack: RulePack) -> Iterator[Problem]:
    for rule in pack.rules:
        if not rule.precedents:
            yield _warn(pack, rule, "no-precedent", "no precedent case is cited", "id")


def _no_reference(pack: RulePack) -> Iterator[Problem]:
    for rule in pack.rules:
        if not rule.references:
            yield _warn(pack, rule, "no-reference", "no reference URL for the resolution text",
                        "id")


def _short_hs(pack: RulePack) -> Iterator[Problem]:
    for rule in pack.rules:
        for index, code in enumerate(rule.hs_codes):
            if len(code.code) < 4 and code.source != "resolution":
                yield _warn(pack, rule, "short-hs", f"HS prefix {code.code!r} covers a whole "
                            "chapter but the resolution does not print it", "hs_codes", index)


def _periods_overlap(a: Rule, b: Rule) -> bool:
    a_end, b_end = a.in_force_until or date.max, b.in_force_until or date.max
    assert a.in_force_from is not None and b.in_force_from is not None
    return a.in_force_from <= b_end and b.in_force_from <= a_end


def _shared_prefix(a: Rule, b: Rule) -> str | None:
    for x in a.hs_codes:
        for y in b.hs_codes:
            if x.code.startswith(y.code) or y.code.startswith(x.code):
                return min(x.code, y.code, key=len) if x.code != y.code else x.code
    return None


def _overlap(pack: RulePack) -> Iterator[Problem]:
    for a, b in combinations(pack.rules, 2):
        if (a.direction, a.country) != (b.direction, b.country):
            continue
        if b.id in (a.superseded_by, a.id) or a.id == b.superseded_by:
            continue
        if not _periods_overlap(a, b):
            continue
        shared = _shared_prefix(a, b)
        if shared is not None:
            yield _warn(pack, b, "overlap", f"fires on the same goods (HS {shared}), dates and "
                        f"direction as {a.id} and neither supersedes the other", "id")


def _same_scope(pack: RulePack, rule: Rule, record: dict) -> bool:
    """Is the record in the rule's direction and period, so that only its goods keep it clean?"""
    try:
        when = parse_date(record.get("date"))
        countries = {pack.tables.countries.resolve(str(record[f]))
                     for f in pack.manifest.directions[rule.direction].fields if record.get(f)}
        country = pack.tables.countries.resolve(rule.country)
    except (ValueError, KeyError):
        return False
    assert rule.in_force_from is not None
    in_force = rule.in_force_from <= when <= (rule.in_force_until or date.max)
    return in_force and country in countries


def _keyword_in_clean_example(pack: RulePack) -> Iterator[Problem]:
    for rule in pack.rules:
        index = KeywordIndex(rule.keywords)
        for position, example in enumerate(rule.examples.no_match):
            description = example.record.get("description")
            found = index.find(str(description)) if description else set()
            if found and _same_scope(pack, rule, example.record):
                yield _warn(pack, rule, "keyword-in-clean-example",
                            f"keyword {sorted(found)[0]!r} occurs in must-not-match example "
                            f"{example.record.get('id', position + 1)!r}", "examples",
                            "no_match", position)


def _unknown_lint(pack: RulePack) -> Iterator[Problem]:
    for rule in pack.rules:
        for position, lint_id in enumerate(rule.lint_ignore):
            if lint_id not in LINTS:
                yield _warn(pack, rule, "unknown-lint", f"lint_ignore: no lint {lint_id!r} "
                            f"(known: {', '.join(sorted(LINTS))})", "lint_ignore", position)


CHECKS: tuple[LintCheck, ...] = (_overlap, _no_precedent, _no_reference, _short_hs,
                                 _keyword_in_clean_example, _unknown_lint)


def lint(pack: RulePack) -> list[Problem]:
    """Every lint warning for the pack, minus those its rules silence."""
    ignored = {rule.id: set(rule.lint_ignore) for rule in pack.rules}
    out = []
    for check in CHECKS:
        for problem in check(pack):
            if problem.code not in ignored.get(problem.rule_id or "", set()):
                out.append(problem)
    return sorted(out, key=lambda p: (p.file, p.line, p.column))
