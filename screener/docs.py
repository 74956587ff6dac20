"""Generate the rule-pack reference (docs/rules.md) from the YAML, so it cannot drift."""

from __future__ import annotations

from .loader import RulePack
from .rule_model import HsCode, Rule

SOURCE_MARK = {"resolution": "R", "correspondence": "C"}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _hs(code: HsCode) -> str:
    marks = SOURCE_MARK[code.source] + (" ex" if code.ex else "")
    edition = f", {code.edition}" if code.edition else ""
    return f"`{code.code}` ({marks}{edition})"


def _order(rule: Rule) -> tuple[int, int, str]:
    return int(rule.resolution), int(rule.paragraph), rule.id


def _in_force(rule: Rule) -> str:
    until = f" to {rule.in_force_until}" if rule.in_force_until else " on"
    return f"{rule.in_force_from}{until}"


def _exceptions(rule: Rule) -> str:
    parts = []
    for exc in rule.exceptions:
        how = f"checked, {exc.effect}" if exc.decidable else "caveat only"
        parts.append(f"`{exc.id}` ({how})")
    return "; ".join(parts) or "-"


def rules_markdown(pack: RulePack) -> str:
    rules = sorted(pack.rules, key=_order)
    lines = [
        f"# Rule pack `{pack.name}` {pack.version}",
        "",
        "Generated from the YAML by `screener rules doc --output docs/rules.md`; do not edit by",
        "hand (a test fails when this file is stale).",
        "",
        f"{len(rules)} rules, {len(pack.cases)} precedent cases. HS codes are prefixes: `R` the",
        "resolution prints the code itself, `C` standard correspondence for goods the text names",
        "in words, `ex` the code also covers other goods (the description must name them).",
        "Dates: the rule applies to records dated on or after the first date and, where a",
        "second is given, up to and including it.",
        "",
        "| citation | rule | in force | direction | goods (as the text names them) | HS codes "
        "| exceptions | verdict | precedents |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for rule in rules:
        hs = ", ".join(_hs(h) for h in rule.hs_codes) or (
            "any goods" if rule.all_goods else "keywords only")
        precedents = ", ".join(f"`{p}`" for p in rule.precedents) or "-"
        lines.append(
            f"| {rule.citation} | `{rule.id}` | {_in_force(rule)} | {rule.direction} "
            f"{rule.country} | {_cell(rule.goods)} | {hs} | {_exceptions(rule)} "
            f"| {rule.verdict} | {precedents} |")
    lines += ["", "## Notes", ""]
    for rule in rules:
        lines.append(f"### `{rule.id}` ({rule.citation}, adopted {rule.adopted})")
        lines.append("")
        lines.append(_cell(rule.title) + ".")
        if rule.superseded_by:
            lines.append(f"Superseded by `{rule.superseded_by}`.")
        if rule.keywords:
            lines.append("Keywords: " + ", ".join(rule.keywords) + ".")
        if rule.aggregate is not None:
            agg = rule.aggregate
            period = ("per calendar year" if agg.period == "calendar_year" else
                      f"per 12 months from {agg.period.rolling_12_months_from}")
            starts = f", counted from {agg.starts}" if agg.starts else ""
            lines.append(f"Cap: {agg.cap:,.0f} {agg.unit} {period}{starts}; alerts at "
                         + ", ".join(f"{a:.0%}" for a in agg.alerts) + ".")
        for exc in rule.exceptions:
            lines.append(f"- exception `{exc.id}`: {_cell(exc.description)}")
        if rule.notes:
            lines += ["", _cell(rule.notes)]
        lines.append("")
    lines += ["## Precedent cases", ""]
    for case in sorted(pack.cases.values(), key=lambda c: c.id):
        when = case.published or case.published_note or "date not recorded"
        lines.append(f"- `{case.id}`: {_cell(case.title)} ({case.outlet}, {when})")
    return "\n".join(lines) + "\n"
