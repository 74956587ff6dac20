"""Caps that add up: running totals for aggregate rules (2397 OP4 crude oil, OP5 refined
petroleum) across the rows of a file and, with a ledger, across uploads.

Why the totals are kept here and not in durable_rules state: durable_rules still decides, row
by row, which deliveries an aggregate rule covers (its ordinary conditions and exceptions).
Adding them up is an ordered fold: deliveries must be sorted by date whatever the file order,
merged with deliveries from earlier uploads, de-duplicated by transaction id, and written back
all-or-nothing. A SQLite ledger gives exactly that (primary key, one transaction), and its
totals are what the explanation has to list. Session state in durable_rules would hold a second
copy of the ledger that cannot be rolled back with it, is fed in arrival order rather than date
order, and compares numbers loosely (see ../shared/notes/durable-rules.md). So the engine
selects, this module accumulates, the ledger persists.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from .conversions import Conversion
from .ledger import Delivery, Ledger
from .loader import RulePack
from .report import (
    CapDelivery,
    CapStatus,
    Exemption,
    Finding,
    LedgerInfo,
    Result,
    row_status,
)
from .rule_model import Aggregate, Rule
from .transaction import Transaction

MAX_LISTED = 50


def record_deliveries(ledger: Ledger | None, deliveries: list[Delivery]) -> LedgerInfo | None:
    """Write a run's deliveries to the ledger (one transaction) and say what was recorded."""
    if ledger is None:
        return None
    return LedgerInfo(path=str(ledger.path), recorded=ledger.record(deliveries))


def period_key(aggregate: Aggregate, when: date) -> str | None:
    """The cap period a date falls in, or None before the first counted day."""
    if aggregate.starts is not None and when < aggregate.starts:
        return None
    if aggregate.period == "calendar_year":
        return str(when.year)
    start = aggregate.period.rolling_12_months_from
    if when < start:
        return None
    years = when.year - start.year - ((when.month, when.day) < (start.month, start.day))
    first = _add_years(start, years)
    last = date.fromordinal(_add_years(start, years + 1).toordinal() - 1)
    return f"{first.isoformat()}..{last.isoformat()}"


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class _Entry:
    order: int
    result: Result
    finding: Finding
    rule: Rule
    tx: Transaction
    conversion: Conversion
    period: str
    group: str

    def delivery(self, source: str | None) -> Delivery:
        product = self.conversion.product.id if self.conversion.product else None
        assert self.conversion.barrels is not None
        return Delivery(self.rule.id, self.tx.id, self.period, self.group,
                        self.tx.date.isoformat(), self.conversion.barrels, product,
                        self.tx.exporter_country, source)


def apply_caps(results: list[Result], transactions: dict[int, Transaction], pack: RulePack,
               ledger: Ledger | None = None, source: str | None = None) -> list[Delivery]:
    """Judge every aggregate finding against its running total; edit findings in place.
    Returns this upload's deliveries (for the ledger)."""
    rules = {rule.id: rule for rule in pack.rules if rule.aggregate is not None}
    converter = pack.tables.conversions
    if not rules:
        return []
    groups: dict[tuple[str, str, str], list[_Entry]] = defaultdict(list)
    for order, result in enumerate(results):
        tx = transactions.get(result.row)
        if tx is None:
            continue
        for finding in result.findings:
            rule = rules.get(finding.rule_id)
            if rule is None or finding.review_reason is not None:
                continue
            entry = _entry(order, result, finding, rule, tx, converter)
            if entry is not None:
                groups[(rule.id, entry.period, entry.group)].append(entry)
    deliveries = []
    for (rule_id, period, group), entries in groups.items():
        ids = {e.tx.id for e in entries}
        earlier = [d for d in (ledger.deliveries(rule_id, period, group) if ledger else [])
                   if d.transaction_id not in ids]
        _accumulate(entries, earlier)
        deliveries += [e.delivery(source) for e in entries]
    for result in results:
        result.status = row_status(result.findings, result.errors)
    return deliveries


def _entry(order: int, result: Result, finding: Finding, rule: Rule, tx: Transaction,
           converter) -> _Entry | None:
    aggregate = rule.aggregate
    assert aggregate is not None
    conversion = converter.to_barrels(tx) if converter else Conversion(
        None, None, "the rule pack has no conversion table")
    if conversion.barrels is None:
        finding.caveats.append(f"cannot be counted toward the {aggregate.cap:,.0f} "
                               f"{aggregate.unit} cap: {conversion.problem}")
        finding.explanation += (f" Not counted toward the cap: {conversion.problem}.")
        if finding.verdict != "violation":
            finding.verdict = "review"
        return None
    period = period_key(aggregate, tx.date)
    if period is None:
        finding.caveats.append(f"dated before the first cap period ({aggregate.starts}): not "
                               "counted toward the cap")
        return None
    group = "; ".join(f"{c}={getattr(tx, c) or ''}" for c in aggregate.group_by) or "all"
    return _Entry(order, result, finding, rule, tx, conversion, period, group)


def _accumulate(entries: list[_Entry], earlier: list[Delivery]) -> None:
    timeline: list[tuple[str, int, int, Delivery | _Entry]] = [
        (d.date, 0, i, d) for i, d in enumerate(earlier)]
    timeline += [(e.tx.date.isoformat(), 1, e.order, e) for e in entries]
    timeline.sort(key=lambda item: item[:3])
    total = 0.0
    history: list[CapDelivery] = []
    for _, _, _, item in timeline:
        if isinstance(item, Delivery):
            barrels = item.barrels
            ref = CapDelivery(id=item.transaction_id, date=item.date, barrels=barrels,
                              source=item.source or "ledger")
        else:
            assert item.conversion.barrels is not None
            barrels = item.conversion.barrels
            ref = CapDelivery(id=item.tx.id, date=item.tx.date.isoformat(), barrels=barrels)
            _judge(item, total, total + barrels, history)
        total += barrels
        history.append(ref)


def _judge(entry: _Entry, before: float, after: float, history: list[CapDelivery]) -> None:
    aggregate = entry.rule.aggregate
    assert aggregate is not None
    cap = aggregate.cap
    finding = entry.finding
    crossed = [share for share in aggregate.alerts if after >= share * cap]
    status = CapStatus(
        period=entry.period, group=entry.group, unit=aggregate.unit, cap=cap,
        delivery=after - before, conversion=entry.conversion.basis, before=before,
        after=after, share=after / cap, exceeded=after > cap,
        alert=max(crossed) if crossed and after <= cap else None,
        earlier=history[-MAX_LISTED:], earlier_omitted=max(0, len(history) - MAX_LISTED))
    finding.cap = status
    summary = (f"running total for {entry.period} ({entry.group}): {before:,.0f} + "
               f"{status.delivery:,.0f} = {after:,.0f} {aggregate.unit} of the "
               f"{cap:,.0f} {aggregate.unit} cap ({status.share:.0%}), after "
               f"{len(history)} earlier deliveries")
    if status.exceeded:
        finding.verdict = "violation"
        finding.explanation += f" Cap exceeded: {summary}."
        claimed = [f"exception {e} applies" for e in finding.exceptions_applied]
        finding.caveats = [c for c in finding.caveats if not c.startswith(tuple(claimed))]
        finding.caveats.insert(0, f"cap exceeded: {summary}"
                               + ("; the notification does not make it lawful"
                                  if claimed else ""))
    elif status.alert is not None:
        if finding.verdict != "violation":
            finding.verdict = "review"
        finding.explanation += f" Alert at {status.alert:.0%} of the cap: {summary}."
        finding.caveats.insert(0, f"alert: {status.alert:.0%} of the cap reached: {summary}")
    elif finding.verdict == "review" and finding.exceptions_applied:
        # Notified and within the cap: the delivery is allowed. Keep the record of why.
        entry.result.findings.remove(finding)
        for exception in finding.exceptions_applied:
            description = next(e.description for e in entry.rule.exceptions
                               if e.id == exception)
            entry.result.exemptions.append(Exemption(
                rule_id=finding.rule_id, citation=finding.citation, exception_id=exception,
                description=f"{' '.join(description.split())} Within the cap: {summary}."))
    else:
        finding.explanation += f" Within the cap: {summary}."
