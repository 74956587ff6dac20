"""The audit trail: every screening run appended to an SQLite log beside the cap ledger.

A run is recorded when it starts (status `running`) and completed when its report is built,
with the input's and the report's sha256, so "what did you screen, with which rules, and what
did it say?" has an answer. The log is append-only: triggers refuse deletes and any change to
a finished run. A process killed mid-run leaves its record `running`, shown as incomplete;
earlier records are untouched.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .errors import InputFileError
from .ledger import default_ledger_path
from .readers import UploadedFile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at       TEXT NOT NULL,
    finished_at      TEXT,
    status           TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed')),
    user             TEXT NOT NULL,
    interface        TEXT NOT NULL,
    input_name       TEXT,
    input_sha256     TEXT NOT NULL,
    screener_version TEXT NOT NULL,
    ruleset_name     TEXT NOT NULL,
    ruleset_version  TEXT NOT NULL,
    ruleset_sha256   TEXT NOT NULL,
    rows             INTEGER,
    counts           TEXT,
    report_sha256    TEXT,
    error            TEXT
);
CREATE TRIGGER IF NOT EXISTS runs_no_delete BEFORE DELETE ON runs
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS runs_finish_once BEFORE UPDATE ON runs
WHEN OLD.status != 'running'
BEGIN SELECT RAISE(ABORT, 'a finished run cannot be changed'); END;
"""


def default_audit_path() -> Path:
    """$SCREENER_AUDIT, else audit.sqlite beside the default cap ledger."""
    override = os.environ.get("SCREENER_AUDIT")
    if override:
        return Path(override)
    return default_ledger_path().parent / "audit.sqlite"


class AuditHeader(BaseModel):
    """What the audit log records for a run; the JSON report embeds the same header."""

    run_id: int
    started_at: str
    user: str
    interface: str
    input_name: str | None
    input_sha256: str
    screener_version: str
    ruleset_name: str
    ruleset_version: str
    ruleset_sha256: str
    rows: int | None = None
    counts: dict[str, int] | None = None
    report_sha256: str | None = None
    status: str = "running"
    finished_at: str | None = None
    error: str | None = None


def sha256_of_input(records: Any) -> str:
    """sha256 of a file's bytes, or of the records as canonical JSON."""
    if isinstance(records, UploadedFile):
        return hashlib.sha256(records.data).hexdigest()
    if isinstance(records, str | Path):
        digest = hashlib.sha256()
        try:
            with Path(records).open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        except OSError as exc:
            raise InputFileError(f"{records}: cannot read: {exc.strerror}") from None
        return digest.hexdigest()
    dumped = [r.model_dump(mode="json") if isinstance(r, BaseModel) else r for r in records]
    text = json.dumps(dumped, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class AuditLog:
    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else default_audit_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path)
        db.row_factory = sqlite3.Row
        try:
            with db:
                yield db
        finally:
            db.close()

    def start(self, *, interface: str, input_name: str | None, input_sha256: str,
              screener_version: str, ruleset_name: str, ruleset_version: str,
              ruleset_sha256: str) -> AuditHeader:
        header = dict(started_at=_now(), user=_user(), interface=interface,
                      input_name=input_name, input_sha256=input_sha256,
                      screener_version=screener_version, ruleset_name=ruleset_name,
                      ruleset_version=ruleset_version, ruleset_sha256=ruleset_sha256)
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO runs (started_at, status, user, interface, input_name,"
                " input_sha256, screener_version, ruleset_name, ruleset_version,"
                " ruleset_sha256) VALUES (:started_at, 'running', :user, :interface,"
                " :input_name, :input_sha256, :screener_version, :ruleset_name,"
                " :ruleset_version, :ruleset_sha256)", header)
            run_id = cursor.lastrowid
        assert run_id is not None
        return AuditHeader(run_id=run_id, **header)

    def finish(self, header: AuditHeader, rows: int, counts: dict[str, int],
               report_sha256: str) -> AuditHeader:
        done = header.model_copy(update={"rows": rows, "counts": counts,
                                         "report_sha256": report_sha256,
                                         "status": "complete", "finished_at": _now()})
        with self._connect() as db:
            db.execute("UPDATE runs SET status = 'complete', finished_at = ?, rows = ?,"
                       " counts = ?, report_sha256 = ? WHERE id = ?",
                       (done.finished_at, rows, json.dumps(counts), report_sha256,
                        header.run_id))
        return done

    def fail(self, header: AuditHeader, error: str) -> None:
        with self._connect() as db:
            db.execute("UPDATE runs SET status = 'failed', finished_at = ?, error = ?"
                       " WHERE id = ?", (_now(), error[:2000], header.run_id))

    def runs(self) -> list[AuditHeader]:
        with self._connect() as db:
            return [_header(row) for row in db.execute("SELECT * FROM runs ORDER BY id")]

    def run(self, run_id: int) -> AuditHeader | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else _header(row)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _header(row: sqlite3.Row) -> AuditHeader:
    data = dict(row)
    data["run_id"] = data.pop("id")
    data["counts"] = json.loads(data["counts"]) if data["counts"] else None
    return AuditHeader(**data)
