"""Before screening: what the upload holds, which columns are recognised, which are ignored,
how many rows cannot be screened, and suggestions for mapping differently-named columns."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from ..errors import InputFileError
from ..ingest import canonical_header, parse_row, read_csv
from ..readers import read_table
from ..tables import Tables
from ..transaction import CANONICAL_COLUMNS, GOODS_COLUMNS, REQUIRED_COLUMNS
from .store import Upload

MAX_LISTED_ERRORS = 10


@dataclass
class Preflight:
    header: list[str] = field(default_factory=list)
    recognised: list[tuple[str, str]] = field(default_factory=list)  # (header, canonical)
    ignored: list[str] = field(default_factory=list)
    suggestions: dict[str, str] = field(default_factory=dict)  # ignored header -> canonical
    missing: list[str] = field(default_factory=list)
    rows: int = 0
    error_rows: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problem: str | None = None  # the file cannot be read at all

    @property
    def ready(self) -> bool:
        return self.problem is None and not self.missing


def preflight(upload: Upload, tables: Tables) -> Preflight:
    result = Preflight()
    try:
        table = read_table(upload.file, upload.delimiter, upload.sheet)
    except InputFileError as exc:
        result.problem = str(exc)
        return result
    result.header = table.header
    for name in table.header:
        canonical = canonical_header(upload.mapping.get(name, name))
        if canonical in CANONICAL_COLUMNS:
            result.recognised.append((name, canonical))
        else:
            result.ignored.append(name)
            close = difflib.get_close_matches(canonical, CANONICAL_COLUMNS, n=1, cutoff=0.6)
            if close:
                result.suggestions[name] = close[0]
    found = {canonical for _, canonical in result.recognised}
    result.missing = [c for c in REQUIRED_COLUMNS if c not in found]
    if not any(c in found for c in GOODS_COLUMNS):
        result.missing.append(" or ".join(GOODS_COLUMNS))
    if result.missing:
        return result
    try:
        _, rows = read_csv(upload.file, upload.delimiter, upload.sheet, result.warnings,
                           upload.mapping)
        for raw in rows:
            result.rows += 1
            _, errors, _ = parse_row(raw, tables)
            if errors:
                result.error_rows += 1
                if len(result.errors) < MAX_LISTED_ERRORS:
                    result.errors += [e.message for e in errors]
    except InputFileError as exc:
        result.problem = str(exc)
    return result
