"""The cap ledger: deliveries counted toward the 2397 caps, kept across uploads in SQLite.

One row per (rule, transaction id): uploading the same file, or the same transaction id, again
replaces the earlier record instead of adding to it (a corrected quantity replaces the old
one). All deliveries of a run are written in one SQLite transaction after the whole file has
been screened, so a run that fails half-way leaves the ledger as it was.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
    rule_id        TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    period         TEXT NOT NULL,
    grp            TEXT NOT NULL,
    date           TEXT NOT NULL,
    barrels        REAL NOT NULL,
    product        TEXT,
    supplier       TEXT,
    source         TEXT,
    recorded_at    TEXT NOT NULL,
    PRIMARY KEY (rule_id, transaction_id)
);
CREATE INDEX IF NOT EXISTS deliveries_period ON deliveries (rule_id, period, grp);
"""


def default_ledger_path() -> Path:
    """$SCREENER_LEDGER, else ledger.sqlite in the user's data directory."""
    override = os.environ.get("SCREENER_LEDGER")
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir("screener", appauthor=False)) / "ledger.sqlite"


@dataclass(frozen=True)
class Delivery:
    rule_id: str
    transaction_id: str
    period: str
    group: str
    date: str
    barrels: float
    product: str | None = None
    supplier: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Total:
    rule_id: str
    period: str
    product: str | None
    supplier: str | None
    deliveries: int
    barrels: float


class Ledger:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                       (SCHEMA_VERSION,))

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in one transaction: committed on success, rolled back on any
        exception, always closed."""
        db = sqlite3.connect(self.path)
        try:
            with db:
                yield db
        finally:
            db.close()

    def deliveries(self, rule_id: str, period: str, group: str) -> list[Delivery]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT rule_id, transaction_id, period, grp, date, barrels, product, supplier,"
                " source FROM deliveries WHERE rule_id = ? AND period = ? AND grp = ?"
                " ORDER BY date, recorded_at, transaction_id", (rule_id, period, group))
            return [Delivery(*row) for row in rows]

    def record(self, deliveries: Iterable[Delivery]) -> int:
        """Write deliveries atomically (all or none); a repeated id replaces its record."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        count = 0
        with self._connect() as db:
            for d in deliveries:
                db.execute(
                    "INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (rule_id, transaction_id) DO UPDATE SET"
                    " period = excluded.period, grp = excluded.grp, date = excluded.date,"
                    " barrels = excluded.barrels, product = excluded.product,"
                    " supplier = excluded.supplier, source = excluded.source,"
                    " recorded_at = excluded.recorded_at",
                    (d.rule_id, d.transaction_id, d.period, d.group, d.date, d.barrels,
                     d.product, d.supplier, d.source, now))
                count += 1
        return count

    def totals(self, year: str | None = None) -> list[Total]:
        query = ("SELECT rule_id, period, product, supplier, COUNT(*), SUM(barrels)"
                 " FROM deliveries {where} GROUP BY rule_id, period, product, supplier"
                 " ORDER BY period, rule_id, product, supplier")
        where, args = "", ()
        if year:
            where, args = "WHERE period LIKE ?", (f"{year}%",)
        with self._connect() as db:
            return [Total(*row) for row in db.execute(query.format(where=where), args)]

    def count(self) -> int:
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0]

    def reset(self) -> int:
        with self._connect() as db:
            removed = db.execute("DELETE FROM deliveries").rowcount
        return removed
