"""Screen large files with flat memory and both cores, writing JSON or CSV as rows finish.

The main process only reads the CSV (Python's csv module) and spots repeated ids; chunks of
plain cell lists go to worker processes, each with its own durable_rules host (hosts cannot be
shared between threads, and the C engine holds the GIL, so processes are what gives a second
core). Workers build, validate and screen the rows and send back finished output text. At most
two chunks per worker are in flight, so memory stays flat however long the file is.

Rows that an aggregate (cap) rule matched cannot be final until every earlier delivery is
known, so they come back unfinished; the rest are final. Finished text goes to a spool file in
input order; after the last chunk the cap rows (few) are judged in date order with the ledger
and the report is assembled from the spool, the cap rows' final text in their places. The
output is the same as `Screener.screen` + `write_json`/`write_csv` (tests/test_streaming.py).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import os
import sqlite3
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from . import __version__
from .audit import AuditHeader, AuditLog
from .caps import apply_caps, record_deliveries
from .fastclear import FastClear
from .ingest import RowBuilder, duplicate_id_error, open_rows
from .jsonout import JsonReportWriter, ReportHasher
from .ledger import Ledger
from .loader import load_rules
from .readers import Source
from .render import neutralise, verdict_cells, verdict_header
from .report import STATUS_ORDER, LedgerInfo, Result, Summary
from .screener import Screener
from .transaction import Transaction

CHUNK_ROWS = 2000
PENDING = "\0"  # spool line prefix of a row waiting for the cap pass (never in output text)

Cells = tuple[int, list[str], int | None]  # (row number, cells, row that first used the id)


@dataclass
class Unfinished:
    """A row an aggregate rule matched: judged after the whole file, in date order."""

    result: Result
    transaction: Transaction
    cells: list[str]


@dataclass
class Chunk:
    texts: list[str | int] = field(default_factory=list)  # output text, or index in pending
    pending: list[Unfinished] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    rules: Counter = field(default_factory=Counter)
    precedents: set[str] = field(default_factory=set)


class _Output:
    """How one result becomes output text (JSON line, or CSV record)."""

    def __init__(self, fmt: str, width: int):
        self.fmt, self.width = fmt, width

    def text(self, result: Result, cells: list[str]) -> str:
        if self.fmt == "json":
            return result.model_dump_json()
        padded = cells + [""] * (self.width - len(cells))
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(
            [neutralise(c) for c in (*padded, *verdict_cells(result))])
        return buffer.getvalue()


def _count(chunk: Chunk, result: Result) -> None:
    chunk.statuses[result.status] += 1
    chunk.rules.update(f.rule_id for f in result.findings)
    chunk.precedents.update(c for f in result.findings for c in f.precedents)


def screen_cells(screener: Screener, builder: RowBuilder, rows: list[Cells],
                 output: _Output, fast: FastClear | None = None) -> Chunk:
    chunk = Chunk()
    aggregate = screener.aggregate_rule_ids
    quick = fast if fast is not None and output.fmt == "json" else None
    for number, cells, first in rows:
        if quick is not None and first is None:
            text = quick.json(number, cells)
            if text is not None:  # a plain clear row (fastclear.py)
                chunk.statuses["clear"] += 1
                chunk.texts.append(text)
                continue
        raw = builder.build(number, cells)
        if first is not None:
            key = str(raw.values.get("id", "")).strip()
            raw.problems.append(duplicate_id_error(number, key, first))
        result, tx = screener.screen_row(raw)
        if tx is not None and any(f.rule_id in aggregate for f in result.findings):
            chunk.texts.append(len(chunk.pending))
            chunk.pending.append(Unfinished(result, tx, cells))
            continue
        _count(chunk, result)
        chunk.texts.append(output.text(result, cells))
    return chunk


# -- worker processes ----------------------------------------------------------------------
_WORKER: tuple[Screener, RowBuilder, _Output, FastClear] | None = None


def _init_worker(pack_dirs: list[str], builder: RowBuilder, output: _Output) -> None:
    global _WORKER
    screener = Screener(load_rules(*pack_dirs))
    _WORKER = (screener, builder, output, FastClear(screener, builder))


def _work(rows: list[Cells]) -> Chunk:
    assert _WORKER is not None
    screener, builder, output, fast = _WORKER
    return screen_cells(screener, builder, rows, output, fast)


class IdRegistry:
    """Which row first used each id, kept in a temporary SQLite file rather than a dict: a
    million ids held in Python cost about 120 MB, the one thing that made memory grow with
    the file. Looked up and recorded a chunk at a time."""

    def __init__(self) -> None:
        self.db = sqlite3.connect("")  # "" = a private temporary database on disk
        self.db.execute("CREATE TABLE ids (id TEXT PRIMARY KEY, row INTEGER) WITHOUT ROWID")

    def first_rows(self, items: list[tuple[str, int]]) -> dict[int, int]:
        """For each (id, row) of a chunk, in order: {row: first row} for repeats."""
        earlier: dict[str, int] = {}
        keys = list(dict.fromkeys(key for key, _ in items))
        for start in range(0, len(keys), 900):
            batch = keys[start:start + 900]
            marks = ",".join("?" * len(batch))
            earlier.update(self.db.execute(f"SELECT id, row FROM ids WHERE id IN ({marks})",
                                           batch))
        repeats, new = {}, []
        for key, row in items:
            if key in earlier:
                repeats[row] = earlier[key]
            else:
                earlier[key] = row
                new.append((key, row))
        self.db.executemany("INSERT INTO ids VALUES (?, ?)", new)
        return repeats

    def close(self) -> None:
        self.db.close()


def _cell_chunks(builder: RowBuilder, rows: Iterator[tuple[int, list[str]]]
                 ) -> Iterator[list[Cells]]:
    """Chunks of rows, each marked with the row that first used its id (if any)."""
    registry = IdRegistry()
    try:
        chunk: list[tuple[int, list[str]]] = []
        for item in rows:
            chunk.append(item)
            if len(chunk) == CHUNK_ROWS:
                yield _marked(chunk, builder, registry)
                chunk = []
        if chunk:
            yield _marked(chunk, builder, registry)
    finally:
        registry.close()


def _marked(chunk: list[tuple[int, list[str]]], builder: RowBuilder,
            registry: IdRegistry) -> list[Cells]:
    ids = [(key, number) for number, cells in chunk if (key := builder.id_of(cells))]
    repeats = registry.first_rows(ids)
    return [(number, cells, repeats.get(number)) for number, cells in chunk]


def _chunks(screener: Screener, builder: RowBuilder, rows: Iterator[tuple[int, list[str]]],
            output: _Output, jobs: int, pack_dirs: list[str]) -> Iterator[Chunk]:
    if jobs <= 1:
        fast = FastClear(screener, builder)
        for cells in _cell_chunks(builder, rows):
            yield screen_cells(screener, builder, cells, output, fast)
        return
    context = multiprocessing.get_context("spawn")  # no fork: durable_rules runs threads
    with context.Pool(jobs, initializer=_init_worker,
                      initargs=(pack_dirs, builder, output)) as pool:
        pending: deque = deque()
        for cells in _cell_chunks(builder, rows):
            pending.append(pool.apply_async(_work, (cells,)))
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
    """Screen the file `source` and write the report to `out` as JSON or CSV with flat
    memory. `pack_dirs` (the rule pack and overlay directories) are needed for jobs > 1."""
    if fmt not in ("json", "csv"):
        raise ValueError("streaming writes json or csv")
    if jobs > 1 and not pack_dirs:
        raise ValueError("jobs > 1 needs the rule pack directories (pack_dirs)")
    header = None
    if audit is not None:
        header = screener.start_audit(audit, source, str(source), "cli")
    try:
        return _stream(screener, source, out, fmt, jobs, ledger, delimiter, sheet,
                       pack_dirs or [], progress, audit, header)
    except BaseException as exc:
        if audit is not None and header is not None:
            audit.fail(header, f"{type(exc).__name__}: {exc}")
        raise


def _stream(screener: Screener, source: Source, out: TextIO, fmt: str, jobs: int,
            ledger: Ledger | None, delimiter: str | None, sheet: str | None,
            pack_dirs: list[str], progress: Callable[[int], None] | None,
            audit: AuditLog | None, header: AuditHeader | None) -> StreamReport:
    warnings: list[str] = []
    builder, rows = open_rows(source, delimiter, sheet, warnings)
    output = _Output(fmt, len(builder.header))
    total = Chunk()
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
        for chunk in _chunks(screener, builder, rows, output, jobs, pack_dirs):
            offset = len(total.pending)
            for text in chunk.texts:
                if isinstance(text, int):
                    spool.write(f"{PENDING}{offset + text}\n")
                else:  # JSON has no raw newlines; CSV records may: keep one per line
                    spool.write((text if fmt == "json" else json.dumps(text)) + "\n")
            total.pending += chunk.pending
            total.statuses.update(chunk.statuses)
            total.rules.update(chunk.rules)
            total.precedents |= chunk.precedents
            if progress is not None:
                progress(len(chunk.texts))
        finals = _cap_pass(screener, total, ledger, str(source), output)
        ledger_info = record_deliveries(ledger, finals.deliveries)
        summary = Summary(rows=sum(total.statuses.values()),
                          **{s: total.statuses.get(s, 0) for s in STATUS_ORDER},
                          by_rule=dict(sorted(total.rules.items())))
        spool.seek(0)
        hasher = ReportHasher()
        if fmt == "json":
            writer = JsonReportWriter(out)
            writer.begin(__version__, str(source), screener.ruleset_info)
        else:
            first = io.StringIO()
            csv.writer(first, lineterminator="\r\n").writerow(
                [neutralise(c) for c in verdict_header(builder.header)])
            out.write(first.getvalue())
            csv_digest = hashlib.sha256(first.getvalue().encode())
        for line in spool:
            line = line[:-1]
            if line.startswith(PENDING):
                text = finals.texts[int(line[1:])]
            else:
                text = line if fmt == "json" else json.loads(line)
            if fmt == "json":
                hasher.result(text)
                writer.result(text)
            else:
                csv_digest.update(text.encode())
                out.write(text)
    # JSON: the report's hash as Report/ReportHasher define it; CSV: the sha256 of the CSV
    digest = hasher.finish(summary, screener.ruleset_info, warnings) if fmt == "json" \
        else csv_digest.hexdigest()
    audit_header = None
    if audit is not None and header is not None:
        audit_header = audit.finish(header, summary.rows,
                                    {s: getattr(summary, s) for s in STATUS_ORDER}, digest)
    if fmt == "json":
        writer.end(summary=summary, precedents=screener.precedent_refs(total.precedents),
                   ledger=ledger_info, warnings=warnings, audit=audit_header)
    return StreamReport(summary, warnings, ledger_info,
                        audit_header.run_id if audit_header else None, digest)


@dataclass
class _Finals:
    texts: list[str]  # output text per pending row
    deliveries: list


def _cap_pass(screener: Screener, total: Chunk, ledger: Ledger | None, source: str,
              output: _Output) -> _Finals:
    results = [u.result for u in total.pending]
    deliveries = apply_caps(results, {u.result.row: u.transaction for u in total.pending},
                            screener.pack, ledger, source)
    texts = []
    for item in total.pending:
        _count(total, item.result)
        texts.append(output.text(item.result, item.cells))
    return _Finals(texts, deliveries)


def default_jobs(source: Source) -> int:
    """Both cores for files big enough to repay starting worker processes (~1 s each)."""
    try:
        size = os.path.getsize(Path(str(source)))
    except OSError:
        return 1
    return min(os.cpu_count() or 1, 8) if size > 8 * 1024 * 1024 else 1
