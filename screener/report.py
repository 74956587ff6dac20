"""The output contract (a public interface): what `screener screen --format json` writes and
what `Screener.screen` returns. Extend it; never rename or remove a field without a migration
note in the README."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from .audit import AuditHeader
from .fastmodel import construct

Status = Literal["violation", "review", "clear", "error"]
STATUS_ORDER: tuple[Status, ...] = ("violation", "review", "clear", "error")


class Match(BaseModel):
    column: str
    value: Any
    condition: str


class CapDelivery(BaseModel):
    id: str
    date: str
    barrels: float
    source: str | None = None  # file it came from; None for this upload


class CapStatus(BaseModel):
    """Where a delivery leaves the running total of an aggregate cap (2397 OP4, OP5)."""

    period: str
    group: str
    unit: str
    cap: float
    delivery: float
    conversion: str
    before: float
    after: float
    share: float
    exceeded: bool
    alert: float | None = None
    earlier: list[CapDelivery] = []
    earlier_omitted: int = 0


class Finding(BaseModel):
    rule_id: str
    title: str
    resolution: str
    paragraph: str
    subparagraph: str | None = None
    citation: str
    adopted: date
    verdict: Literal["violation", "review"]
    explanation: str
    matched: dict[str, Any]
    conditions: list[Match] = []
    precedents: list[str] = []
    caveats: list[str] = []
    references: list[str] = []
    exceptions_applied: list[str] = []
    review_reason: str | None = None  # "ex" or "mismatch" for goods-identification reviews
    cap: CapStatus | None = None


class Exemption(BaseModel):
    rule_id: str
    citation: str
    exception_id: str
    description: str


class RowError(BaseModel):
    row: int
    column: str | None
    value: Any = None
    message: str


class Result(BaseModel):
    row: int
    id: str | None
    status: Status
    hs_code: str | None = None
    description: str | None = None
    parties: dict[str, str] = {}  # exporter/importer names and countries, vessel, as read
    findings: list[Finding] = []
    errors: list[RowError] = []
    warnings: list[str] = []
    exemptions: list[Exemption] = []
    extra: dict[str, Any] = {}


def fast_result(**fields: Any) -> Result:
    """A Result from values already of the right types (screener's hot path; every field
    must be given): half the cost of a clear row was re-validating it."""
    return construct(Result, fields)


class RulesetInfo(BaseModel):
    name: str
    version: str
    sha256: str
    rules: int
    cases: int


class Summary(BaseModel):
    rows: int = 0
    violation: int = 0
    review: int = 0
    clear: int = 0
    error: int = 0
    by_rule: dict[str, int] = {}


class CaseRef(BaseModel):
    title: str
    outlet: str
    published: date | None
    url: str | None
    summary: str


class LedgerInfo(BaseModel):
    path: str
    recorded: int


class Report(BaseModel):
    screener_version: str
    source: str | None = None
    ruleset: RulesetInfo
    summary: Summary
    results: list[Result]
    precedents: dict[str, CaseRef] = Field(default_factory=dict)
    ledger: LedgerInfo | None = None
    warnings: list[str] = []  # about the file as a whole: encoding, delimiter, columns
    audit: AuditHeader | None = None  # present when the run was recorded in the audit log


def summarise(results: list[Result]) -> Summary:
    summary = Summary(rows=len(results))
    by_rule: dict[str, int] = {}
    for result in results:
        setattr(summary, result.status, getattr(summary, result.status) + 1)
        for finding in result.findings:
            by_rule[finding.rule_id] = by_rule.get(finding.rule_id, 0) + 1
    summary.by_rule = dict(sorted(by_rule.items()))
    return summary


def row_status(findings: list[Finding], errors: list[RowError]) -> Status:
    if errors:
        return "error"
    verdicts = {f.verdict for f in findings}
    if "violation" in verdicts:
        return "violation"
    return "review" if verdicts else "clear"


def report_sha256(report: Report) -> str:
    """sha256 of the report (its results in order, summary, rule set and warnings: see
    jsonout.ReportHasher), the same whether the report was built in memory or streamed."""
    from .jsonout import ReportHasher

    hasher = ReportHasher()
    for result in report.results:
        hasher.result(result.model_dump_json())
    return hasher.finish(report.summary, report.ruleset, report.warnings)

