"""Read input (CSV files, dicts, pydantic models) into Transactions or located row errors.

File-level problems (not a CSV, empty, required columns missing) raise InputFileError; a bad
cell never does: its row comes back as errors naming row, column and value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .errors import InputFileError
from .readers import Source, read_table
from .report import RowError
from .tables import Tables
from .transaction import (
    CANONICAL_COLUMNS,
    GOODS_COLUMNS,
    REQUIRED_COLUMNS,
    Transaction,
    build_transaction,
)
from .values import imo_checksum_ok

_HEADER_SEP = re.compile(r"[\s\-]+")
_CANONICAL = set(CANONICAL_COLUMNS)
MAX_CELL_CHARS = 10_000


def canonical_header(name: str) -> str:
    """Header names are case-insensitive; spaces and hyphens inside count as underscores."""
    return _HEADER_SEP.sub("_", name.strip().casefold().lstrip("\ufeff"))


@dataclass
class RawRow:
    row: int  # 1-based data row (the header is row 0)
    values: dict[str, Any]  # canonical column -> cell
    extra: dict[str, Any] = field(default_factory=dict)
    problems: list[RowError] = field(default_factory=list)
    cells: list[str] | None = None  # the row's cells as read (files only), for CSV export


def duplicate_id_error(row: int, key: str, first: int) -> RowError:
    return RowError(row=row, column="id", value=key,
                    message=f"row {row}, column 'id': {key!r} is already used by row {first}")


def split_columns(record: Mapping[str, Any], row: int) -> RawRow:
    raw = RawRow(row=row, values={})
    for name, value in record.items():
        key = canonical_header(str(name))
        if key in _CANONICAL:
            raw.values[key] = value
        else:
            raw.extra[str(name)] = value
    return raw


@dataclass(frozen=True)
class RowBuilder:
    """Turns a file's cells into RawRows; small and picklable, so that worker processes can
    build rows from plain cell lists (which pickle five times faster than RawRows)."""

    header: list[str]
    names: list[str]
    duplicates: dict[int, int]

    def build(self, number: int, cells: list[str]) -> RawRow:
        if (self.duplicates or len(cells) > len(self.names)
                or (cells and max(map(len, cells)) > MAX_CELL_CHARS)):
            return _raw_row(number, cells, self.header, self.names, self.duplicates)
        # the common case, same result as _raw_row: no repeated columns, no surplus or
        # over-long cells
        count = len(cells)
        return RawRow(row=number, cells=cells,
                      values={name: cells[i] for i, name in self._canonical if i < count},
                      extra={head: cells[i] for i, head in self._extra if i < count})

    @cached_property
    def _canonical(self) -> tuple[tuple[int, str], ...]:
        return tuple((i, n) for i, n in enumerate(self.names) if n in _CANONICAL)

    @cached_property
    def _extra(self) -> tuple[tuple[int, str], ...]:
        return tuple((i, self.header[i]) for i, n in enumerate(self.names)
                     if n not in _CANONICAL)

    def id_of(self, cells: list[str]) -> str:
        """The row's id as build() would read it (first non-blank id column), stripped."""
        for index in self._id_positions:
            if index < len(cells):
                key = cells[index].strip()
                if key:
                    return key
        return ""

    @cached_property
    def _id_positions(self) -> tuple[int, ...]:
        return tuple(i for i, n in enumerate(self.names) if n == "id")


def open_rows(path: Source, delimiter: str | None = None, sheet: str | None = None,
              warnings: list[str] | None = None, mapping: dict[str, str] | None = None
              ) -> tuple[RowBuilder, Iterator[tuple[int, list[str]]]]:
    """The file's row builder and its (row number, cells), checked and ready to stream."""
    notes = warnings if warnings is not None else []
    table = read_table(path, delimiter, sheet, notes)
    header = table.header
    mapping = mapping or {}
    names = [canonical_header(mapping.get(h, h)) for h in header]
    duplicates = _check_header(Path(str(path)), header, names, notes)
    return RowBuilder(header, names, duplicates), table.rows


def read_csv(path: Source, delimiter: str | None = None, sheet: str | None = None,
             warnings: list[str] | None = None,
             mapping: dict[str, str] | None = None) -> tuple[list[str], Iterator[RawRow]]:
    """Header (as written) and an iterator of rows of a CSV or XLSX file. File-level notes
    (encoding guessed, delimiter detected, duplicate columns) are appended to `warnings`.
    `mapping` renames columns as the officer mapped them: {header as written: canonical}."""
    builder, rows = open_rows(path, delimiter, sheet, warnings, mapping)
    return builder.header, (builder.build(number, cells) for number, cells in rows)


def _check_header(path: Path, header: list[str], names: list[str],
                  notes: list[str]) -> dict[int, int]:
    """Refuse a header without the required columns; map each repeated canonical column to
    the first one of its name (index -> index of the first)."""
    first: dict[str, int] = {}
    duplicates: dict[int, int] = {}
    for index, name in enumerate(names):
        if name in _CANONICAL and name in first:
            duplicates[index] = first[name]
            notes.append(f"columns {first[name] + 1} ({header[first[name]]!r}) and {index + 1} "
                         f"({header[index]!r}) both mean {name!r}: the first is used and rows "
                         "where they disagree are errors")
        else:
            first.setdefault(name, index)
    missing = [c for c in REQUIRED_COLUMNS if c not in first]
    if not any(c in first for c in GOODS_COLUMNS):
        missing.append(" or ".join(GOODS_COLUMNS))
    if missing:
        raise InputFileError(
            f"{path}: required column(s) missing: {', '.join(missing)} "
            f"(found: {', '.join(repr(h) for h in header)})")
    return duplicates


def _raw_row(number: int, cells: list[str], header: list[str], names: list[str],
             duplicates: dict[int, int]) -> RawRow:
    raw = RawRow(row=number, values={}, cells=cells)
    for index, cell in enumerate(cells[:len(names)]):
        if len(cell) > MAX_CELL_CHARS:
            raw.problems.append(RowError(
                row=number, column=header[index], value=cell[:40] + "…",
                message=f"row {number}, column {header[index]!r}: value is {len(cell)} "
                        f"characters long (limit {MAX_CELL_CHARS})"))
            cell = ""
        if index in duplicates:
            original = duplicates[index]
            kept = cells[original] if original < len(cells) else ""
            if cell.strip() and kept.strip() and cell.strip() != kept.strip():
                raw.problems.append(RowError(
                    row=number, column=header[index], value=cell,
                    message=f"row {number}, column {header[index]!r} (column {index + 1}): "
                            f"{cell!r} disagrees with {kept!r} in column {original + 1} "
                            f"({header[original]!r})"))
            elif cell.strip() and not kept.strip():
                raw.values[names[index]] = cell
            continue
        if names[index] in _CANONICAL:
            raw.values[names[index]] = cell
        else:
            raw.extra[header[index]] = cell
    if len(cells) > len(names) and any(c.strip() for c in cells[len(names):]):
        raw.problems.append(RowError(
            row=number, column=None, value=cells[len(names):],
            message=f"row {number}: {len(cells)} cells but the header has {len(names)} "
                    "columns (unquoted delimiter?)"))
    return raw


def parse_row(raw: RawRow, tables: Tables) -> tuple[Transaction | None, list[RowError],
                                                     list[str]]:
    """Validate one row. Returns (transaction or None, errors, warnings)."""
    tx, problems = build_transaction(raw.values, tables)
    errors = list(raw.problems)
    for column, value, message in problems:
        where = f"row {raw.row}, column {column!r}" if column else f"row {raw.row}"
        errors.append(RowError(row=raw.row, column=column, value=value,
                               message=f"{where}: {message}"))
    if errors or tx is None:
        return None, errors, []
    return tx, [], _warnings(raw, tx, tables)


def _warnings(raw: RawRow, tx: Transaction, tables: Tables) -> list[str]:
    out = []
    if tx.unit is not None and tables.units.resolve(tx.unit) is None:
        out.append(f"row {raw.row}, column 'unit': {tx.unit!r} is not a known unit; kept as "
                   "written")
    if tx.vessel_imo is not None and not imo_checksum_ok(tx.vessel_imo):
        out.append(f"row {raw.row}, column 'vessel_imo': IMO {tx.vessel_imo} fails the IMO "
                   "check digit")
    return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
