"""The Screener: one rule pack, compiled once, applied to any number of records."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from . import __version__
from .audit import AuditHeader, AuditLog, sha256_of_input
from .caps import apply_caps, record_deliveries
from .compiler import compile_pack
from .engine import RuleEngine
from .facts import build_fact
from .findings import build_findings
from .ingest import RawRow, duplicate_id_error, parse_row, read_csv, split_columns
from .ledger import Ledger
from .loader import RulePack, load_rules
from .readers import UploadedFile
from .report import (
    STATUS_ORDER,
    CaseRef,
    Report,
    Result,
    RowError,
    RulesetInfo,
    fast_result,
    report_sha256,
    row_status,
    summarise,
)
from .transaction import Transaction

PARTY_COLUMNS = ("exporter", "exporter_country", "importer", "importer_country", "vessel_name",
            "vessel_flag")
Records = str | Path | UploadedFile | Iterable[Mapping[str, Any] | BaseModel]


class Screener:
    """Screens trade records against one rule pack.

    Each Screener owns its own durable_rules host, so several packs can be screened in one
    process. A Screener is safe to share between threads (engine calls are serialised); use
    processes for parallel speed.
    """

    def __init__(self, pack: RulePack):
        self.pack = pack
        self.compiled = compile_pack(pack)
        self.engine = RuleEngine(self.compiled.labelled())
        self._aggregate_rules = {r.id for r in pack.rules if r.aggregate is not None}
        self._keys = itertools.count()

    @classmethod
    def default(cls) -> Screener:
        """A Screener with the rule pack shipped inside the package."""
        return cls(load_rules())

    @property
    def ruleset_info(self) -> RulesetInfo:
        return RulesetInfo(name=self.pack.name, version=self.pack.version,
                           sha256=self.pack.sha256, rules=len(self.pack.rules),
                           cases=len(self.pack.cases))

    def screen(self, records: Records, source: str | None = None,
               ledger: Ledger | None = None, delimiter: str | None = None,
               sheet: str | None = None, audit: AuditLog | bool | None = None,
               interface: str = "api", mapping: dict[str, str] | None = None) -> Report:
        """Screen a CSV/XLSX path, or an iterable of dicts / pydantic models. One result per
        record, in input order. Aggregate caps (2397 OP4, OP5) are judged on running totals
        over the whole input in date order and, with a `ledger`, over earlier uploads too;
        this run's deliveries are then written to the ledger in one transaction. With
        `audit` (True for the default log, or an AuditLog) the run is recorded in the
        append-only audit log and the report carries the same header."""
        if isinstance(records, str | Path | UploadedFile):
            source = source or str(records)
        options = (delimiter, sheet, mapping)
        log = AuditLog() if audit is True else (audit or None)
        if log is None:
            return self._screen(records, source, ledger, options)
        if not isinstance(records, str | Path | UploadedFile):
            records = list(records)
        header = self.start_audit(log, records, source, interface)
        try:
            report = self._screen(records, source, ledger, options)
        except BaseException as exc:
            log.fail(header, f"{type(exc).__name__}: {exc}")
            raise
        counts = {status: getattr(report.summary, status) for status in STATUS_ORDER}
        report.audit = log.finish(header, report.summary.rows, counts, report_sha256(report))
        return report

    def _screen(self, records: Records, source: str | None, ledger: Ledger | None,
                options: tuple[str | None, str | None, dict[str, str] | None]) -> Report:
        results: list[Result] = []
        capped: dict[int, Transaction] = {}
        warnings: list[str] = []
        for raw in self._raw_rows(records, options, warnings):
            result, tx = self._screen_raw(raw)
            results.append(result)
            if tx is not None and any(f.rule_id in self._aggregate_rules
                                      for f in result.findings):
                capped[result.row] = tx
        deliveries = apply_caps(results, capped, self.pack, ledger, source)
        cited = {c for r in results for f in r.findings for c in f.precedents}
        return Report(screener_version=__version__, source=source, ruleset=self.ruleset_info,
                      summary=summarise(results), results=results,
                      precedents=self.precedent_refs(cited), warnings=warnings,
                      ledger=record_deliveries(ledger, deliveries))

    def start_audit(self, log: AuditLog, records: Records, source: str | None,
                    interface: str) -> AuditHeader:
        """Record the start of a run in the audit log (finished or failed by the caller)."""
        return log.start(interface=interface, input_name=source,
                         input_sha256=sha256_of_input(records),
                         screener_version=__version__, ruleset_name=self.pack.name,
                         ruleset_version=self.pack.version, ruleset_sha256=self.pack.sha256)

    def precedent_refs(self, case_ids: Iterable[str]) -> dict[str, CaseRef]:
        """The report's description of each cited case, by id, sorted."""
        refs = {}
        for case_id in sorted(case_ids):
            case = self.pack.cases[case_id]
            refs[case_id] = CaseRef(title=case.title, outlet=case.outlet,
                                    published=case.published, url=case.url,
                                    summary=case.summary)
        return refs

    def screen_iter(self, records: Records, delimiter: str | None = None,
                    sheet: str | None = None) -> Iterator[Result]:
        """Like `screen`, but yields results one by one. Aggregate caps need the whole input,
        so findings here are judged row by row only (no running totals)."""
        for raw in self._raw_rows(records, (delimiter, sheet, None), []):
            yield self._screen_raw(raw)[0]

    def screen_transaction(self, tx: Transaction, row: int = 1) -> Result:
        return self._evaluate(tx, row, [], {})

    @property
    def aggregate_rule_ids(self) -> set[str]:
        return self._aggregate_rules

    def raw_rows(self, records: Records, delimiter: str | None = None,
                 sheet: str | None = None, warnings: list[str] | None = None,
                 mapping: dict[str, str] | None = None) -> tuple[list[str], Iterator[RawRow]]:
        """The input's header (files only) and its rows as read, ready for `screen_row`.
        The file is opened and checked now; rows are read as they are consumed."""
        notes = warnings if warnings is not None else []
        header: list[str] = []
        if isinstance(records, str | Path | UploadedFile):
            header, rows = read_csv(records, delimiter, sheet, notes, mapping)
        else:
            rows = self._record_rows(records)
        return header, _mark_duplicates(rows)

    def screen_row(self, raw: RawRow) -> tuple[Result, Transaction | None]:
        """One row's result (caps not applied) and its transaction when it could be read."""
        return self._screen_raw(raw)

    def _raw_rows(self, records: Records,
                  options: tuple[str | None, str | None, dict[str, str] | None],
                  warnings: list[str]) -> Iterator[RawRow]:
        delimiter, sheet, mapping = options
        yield from self.raw_rows(records, delimiter, sheet, warnings, mapping)[1]

    def _record_rows(self, records: Iterable[Mapping[str, Any] | BaseModel]
                     ) -> Iterator[RawRow]:
        for number, record in enumerate(records, start=1):
            if isinstance(record, Transaction):
                yield RawRow(row=number, values=record.model_dump())
            elif isinstance(record, BaseModel):
                yield split_columns(record.model_dump(), number)
            elif isinstance(record, Mapping):
                yield split_columns(record, number)
            else:
                yield RawRow(row=number, values={}, problems=[RowError(
                    row=number, column=None, value=repr(record)[:80],
                    message=f"row {number}: a record must be a mapping or a pydantic model, "
                            f"not {type(record).__name__}")])

    def _screen_raw(self, raw: RawRow) -> tuple[Result, Transaction | None]:
        tx, errors, warnings = parse_row(raw, self.pack.tables)
        if tx is None or errors:
            record_id = raw.values.get("id")
            return Result(row=raw.row, id=None if record_id is None else str(record_id),
                          status="error", errors=errors, extra=raw.extra,
                          hs_code=_text_or_none(raw.values.get("hs_code")),
                          description=_text_or_none(raw.values.get("description"))), None
        return self._evaluate(tx, raw.row, warnings, raw.extra), tx

    def _evaluate(self, tx: Transaction, row: int, warnings: list[str],
                  extra: dict[str, Any]) -> Result:
        findings: list = []
        exemptions: list = []
        if self.compiled.may_fire(tx):
            fact = build_fact(tx, f"f{next(self._keys)}", self.compiled.keywords,
                              self.compiled.columns)
            fired = self.engine.fire(fact) if self.compiled.is_relevant(fact) else []
            findings, exemptions = build_findings(fired, fact, tx, self.pack, self.compiled)
        fields = tx.__dict__
        return fast_result(row=row, id=tx.id, status=row_status(findings, []),
                           hs_code=tx.hs_code, description=tx.description,
                           parties={k: str(fields[k]) for k in PARTY_COLUMNS
                                    if fields[k] is not None},
                           findings=findings, errors=[], warnings=warnings,
                           exemptions=exemptions, extra={str(k): v for k, v in extra.items()})


def _mark_duplicates(rows: Iterator[RawRow]) -> Iterator[RawRow]:
    """A repeated id is an error naming the row that used it first (ids compared as
    written, stripped)."""
    first: dict[str, int] = {}
    for raw in rows:
        value = raw.values.get("id")
        key = None if value is None else str(value).strip()
        if key:
            if key in first:
                raw.problems.append(duplicate_id_error(raw.row, key, first[key]))
            else:
                first[key] = raw.row
        yield raw


def _text_or_none(value: Any) -> str | None:
    return None if value is None or str(value).strip() == "" else str(value).strip()
