"""Screen large files with flat memory and both cores, writing JSON or CSV as rows finish.

Rows are read in chunks; each chunk is screened in the main process (jobs=1) or in worker
processes, each with its own durable_rules host (hosts cannot be shared between threads, and
the C engine holds the GIL, so processes are what gives a second core). At most two chunks
per worker are in flight, so memory stays flat however long the file is.

Rows that an aggregate (cap) rule matched cannot be final until every earlier delivery is
known, so they come back unfinished; all others come back as finished JSON (and CSV cells).
Finished rows go to a spool file in input order; after the last chunk the cap rows (few) are
judged in date order with the ledger, and the report is assembled from the spool with the
cap rows' final JSON in their places. The output is the same as `Screener.screen` +
`write_json`/`write_csv` (tests/test_streaming.py checks it).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from . import __version__
from .audit import AuditLog, sha256_of_input
from .caps import apply_caps
from .ingest import RawRow
from .jsonout import JsonReportWriter, ReportHasher
from .ledger import Ledger
from .loader import load_rules
from .readers import Source
from .render import VERDICT_COLUMNS, neutralise, verdict_cells
from .report import (
    STATUS_ORDER,
    CaseRef,
    LedgerInfo,
    Report,
    Result,
    Summary,
)
from .screener import Screener
from .transaction import Transaction

CHUNK_ROWS = 2000


@dataclass
class Finished:
    row: int
    status: str
    rule_ids: list[str]
    precedents: list[str]
    json: str
    cells: list[str] | None  # CSV output cells (input + verdicts), when asked for


@dataclass
class Unfinished:
    """A row an aggregate rule matched: judged after the whole file, in date order."""

    result: Result
    transaction: Transaction
    cells: list[str] | None


Outcome = Finished | Unfinished


def _finish(result: Result, cells: list[str] | None, width: int) -> Finished:
    out = None
    if cells is not None:
        padded = cells + [""] * (width - len(cells))
        out = [neutralise(c) for c in (*padded, *verdict_cells(result))]
    return Finished(result.row, result.status, [f.rule_id for f in result.findings],
                    sorted({c for f in result.findings for c in f.precedents}),
                    result.model_dump_json(), out)


def screen_chunk(screener: Screener, raws: list[RawRow], csv_width: int | None) -> list[Outcome]:
    outcomes: list[Outcome] = []
    aggregate = screener.aggregate_rule_ids
    for raw in raws:
        result, tx = screener.screen_row(raw)
        cells = raw.cells if csv_width is not None else None
        if tx is not None and any(f.rule_id in aggregate for f in result.findings):
            outcomes.append(Unfinished(result, tx, cells))
        else:
            outcomes.append(_finish(result, cells, csv_width or 0))
    return outcomes


# -- worker processes ----------------------------------------------------------------------
_WORKER: Screener | None = None


def _init_worker(pack_dirs: list[str]) -> None:
    global _WORKER
    _WORKER = Screener(load_rules(*pack_dirs))


def _work(raws: list[RawRow], csv_width: int | None) -> list[Outcome]:
    assert _WORKER is not None
    return screen_chunk(_WORKER, raws, csv_width)


def _chunks(rows: Iterator[RawRow], size: int) -> Iterator[list[RawRow]]:
    chunk: list[RawRow] = []
    for raw in rows:
        chunk.append(raw)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _outcomes(screener: Screener, rows: Iterator[RawRow], csv_width: int | None, jobs: int,
              pack_dirs: list[str]) -> Iterator[list[Outcome]]:
    if jobs <= 1:
        for chunk in _chunks(rows, CHUNK_ROWS):
            yield screen_chunk(screener, chunk, csv_width)
        return
    context = multiprocessing.get_context("spawn")  # no fork: durable_rules runs threads
    with context.Pool(jobs, initializer=_init_worker, initargs=(pack_dirs,)) as pool:
        pending: deque = deque()
        for chunk in _chunks(rows, CHUNK_ROWS):
            pending.append(pool.apply_async(_work, (chunk, csv_width)))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


@dataclass
class StreamReport:
    """What a streamed run leaves in memory: the summary, not the rows."""

    summary: Summary
    warnings: list[str]
    ledger: LedgerInfo | None
    audit_run: int | None
    report_sha256: str


def stream_screen(screener: Screener, source: Source, out: TextIO, fmt: str = "json",
                  jobs: int = 1, ledger: Ledger | None = None, audit: AuditLog | None = None,
                  delimiter: str | None = None, sheet: str | None = None,
                  pack_dirs: list[str] | None = None,
                  progress: Callable[[int], None] | None = None) -> StreamReport:
    """Screen `source` and write the report to `out` as JSON or CSV, with flat memory.
    `pack_dirs` (the rule pack and overlay directories) are needed for jobs > 1."""
    if fmt not in ("json", "csv"):
        raise ValueError("streaming writes json or csv")
    if jobs > 1 and not pack_dirs:
        raise ValueError("jobs > 1 needs the rule pack directories (pack_dirs)")
    label = str(source)
    header = None
    if audit is not None:
        header = audit.start(interface="cli", input_name=label,
                             input_sha256=sha256_of_input(source),
                             screener_version=__version__, ruleset_name=screener.pack.name,
                             ruleset_version=screener.pack.version,
                             ruleset_sha256=screener.pack.sha256)
    try:
        result = _stream(screener, source, out, fmt, jobs, ledger, delimiter, sheet,
                         pack_dirs or [], progress, audit, header)
    except BaseException as exc:
        if audit is not None and header is not None:
            audit.fail(header, f"{type(exc).__name__}: {exc}")
        raise
    return result


def _stream(screener: Screener, source: Source, out: TextIO, fmt: str, jobs: int,
            ledger: Ledger | None, delimiter: str | None, sheet: str | None,
            pack_dirs: list[str], progress: Callable[[int], None] | None,
            audit: AuditLog | None, header) -> StreamReport:
    warnings: list[str] = []
    label = str(source)
    input_header, rows = screener.raw_rows(source, delimiter, sheet, warnings)
    csv_width = len(input_header) if fmt == "csv" else None
    counts: Counter[str] = Counter()
    by_rule: Counter[str] = Counter()
    cited: set[str] = set()
    unfinished: list[Unfinished] = []
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        for outcomes in _outcomes(screener, rows, csv_width, jobs, pack_dirs):
            for outcome in outcomes:
                if isinstance(outcome, Unfinished):
                    unfinished.append(outcome)
                    spool.write(json.dumps({"pending": len(unfinished) - 1}) + "\n")
                    continue
                counts[outcome.status] += 1
                by_rule.update(outcome.rule_ids)
                cited.update(outcome.precedents)
                spool.write(json.dumps({"json": outcome.json, "cells": outcome.cells}) + "\n")
            if progress is not None:
                progress(len(outcomes))
        # the cap pass: few rows, in date order, with the ledger
        results = [u.result for u in unfinished]
        deliveries = apply_caps(results, {u.result.row: u.transaction for u in unfinished},
                                screener.pack, ledger, label)
        finals = [_finish(u.result, u.cells, csv_width or 0) for u in unfinished]
        for final in finals:
            counts[final.status] += 1
            by_rule.update(final.rule_ids)
            cited.update(final.precedents)
        recorded = ledger.record(deliveries) if ledger is not None else 0
        ledger_info = None if ledger is None else LedgerInfo(path=str(ledger.path),
                                                              recorded=recorded)
        summary = Summary(rows=sum(counts.values()),
                          **{s: counts.get(s, 0) for s in STATUS_ORDER},
                          by_rule=dict(sorted(by_rule.items())))
        spool.seek(0)
        hasher = ReportHasher()
        if fmt == "json":
            writer = JsonReportWriter(out)
            writer.begin(__version__, str(source), screener.ruleset_info)
        else:
            import csv
            taken = {h.strip().casefold() for h in input_header}
            extra = [c if c not in taken else f"screener_{c}" for c in VERDICT_COLUMNS]
            csv_writer = csv.writer(out, lineterminator="\r\n")
            csv_writer.writerow([neutralise(c) for c in [*input_header, *extra]])
        for line in spool:
            item = json.loads(line)
            if "pending" in item:
                final = finals[item["pending"]]
                result_json, cells = final.json, final.cells
            else:
                result_json, cells = item["json"], item["cells"]
            hasher.result(result_json)
            if fmt == "json":
                writer.result(result_json)
            else:
                csv_writer.writerow(cells)
    digest = hasher.finish(summary, screener.ruleset_info, warnings)
    audit_header = None
    if audit is not None and header is not None:
        audit_header = audit.finish(header, summary.rows,
                                    {s: getattr(summary, s) for s in STATUS_ORDER}, digest)
    if fmt == "json":
        precedents = {cid: _case_ref(screener, cid) for cid in sorted(cited)}
        writer.end(summary=summary, precedents=precedents, ledger=ledger_info,
                   warnings=warnings, audit=audit_header)
    return StreamReport(summary, warnings, ledger_info,
                        audit_header.run_id if audit_header else None, digest)


def _case_ref(screener: Screener, case_id: str) -> CaseRef:
    case = screener.pack.cases[case_id]
    return CaseRef(title=case.title, outlet=case.outlet, published=case.published,
                   url=case.url, summary=case.summary)


def default_jobs(source: Source) -> int:
    """Both cores for files big enough to repay starting worker processes (~1 s each)."""
    try:
        size = os.path.getsize(Path(str(source)))
    except OSError:
        return 1
    return min(os.cpu_count() or 1, 8) if size > 8 * 1024 * 1024 else 1


__all__ = ["Report", "StreamReport", "default_jobs", "screen_chunk", "stream_screen"]
