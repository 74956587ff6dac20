"""Read uploaded tables as they really come: CSV in UTF-8 (with or without BOM), UTF-16 with
BOM, or Windows-1252; comma, semicolon, tab or pipe delimited; CRLF, quoted newlines, blank
lines; and .xlsx workbooks. The result is a header and numbered rows of text cells, plus
warnings that say what was guessed (the encoding, the delimiter) so an officer can check it.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .errors import InputFileError

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
MAX_FIELD_CHARS = 100 * 1024 * 1024  # csv's own limit (128 KiB) would crash on long cells
XLSX_MAGIC = b"PK\x03\x04"

csv.field_size_limit(MAX_FIELD_CHARS)


@dataclass(frozen=True)
class UploadedFile:
    """A file received in memory (web upload): never written to disk by screener."""

    name: str
    data: bytes

    def __str__(self) -> str:
        return self.name


Source = str | Path | UploadedFile


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (1-based data row, cells); blank rows skipped
    warnings: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None


def read_table(source: Source, delimiter: str | None = None,
               sheet: str | None = None) -> Table:
    """Open a CSV or XLSX file (a path, or an upload held in memory). Raises InputFileError
    when it cannot be read as a table."""
    if isinstance(source, UploadedFile):
        path, data = Path(source.name), source.data
    else:
        path = Path(source)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputFileError(f"{path}: cannot read: {exc.strerror}") from None
    if data.startswith(XLSX_MAGIC) or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, data, sheet)
    if sheet is not None:
        raise InputFileError(f"{path}: --sheet applies to .xlsx workbooks, not CSV files")
    text, encoding, warnings = _decode(path, data)
    if not text.strip():
        raise InputFileError(f"{path}: the file is empty")
    if "\0" in text:
        text = text.replace("\0", "")
        warnings.append("NUL characters were removed from the file")
    chosen = delimiter or _sniff(text)
    if delimiter is None and chosen != ",":
        warnings.append(f"columns are separated by {DELIMITER_NAMES[chosen]}s "
                        "(detected; override with --delimiter)")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=chosen, strict=False)
    return _table(path, reader, warnings, encoding, chosen)


def _table(path: Path, reader: Iterator[list[str]], warnings: list[str],
           encoding: str | None, delimiter: str | None) -> Table:
    header = next((r for r in reader if any(c.strip() for c in r)), None)
    if header is None:
        raise InputFileError(f"{path}: the file has no header row")

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, cells in enumerate(reader, start=1):
            if any(c.strip() for c in cells):
                yield number, cells

    return Table(header, rows(), warnings, encoding, delimiter)


def _decode(path: Path, data: bytes) -> tuple[str, str, list[str]]:
    if data.startswith(codecs.BOM_UTF8):
        return data.decode("utf-8-sig"), "utf-8", []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError as exc:
            raise InputFileError(f"{path}: broken UTF-16 text (byte {exc.start})") from None
    if not data.strip():
        raise InputFileError(f"{path}: the file is empty")
    if b"\0" in data[:8192]:
        raise InputFileError(f"{path}: not a CSV file (binary content, or UTF-16 without a "
                             "byte-order mark)")
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path}: neither UTF-8 nor Windows-1252 text (byte "
                             f"{exc.start}); save the file as CSV UTF-8") from None
    return text, "windows-1252", ["the file is not UTF-8: it was read as Windows-1252 "
                                  "(check accented names; save as CSV UTF-8 to be sure)"]


def _sniff(text: str) -> str:
    """The delimiter that splits the header into the most columns and the next lines into
    the same number (comma on a tie or when nothing fits)."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    best, best_score = ",", (0, 0)
    for candidate in DELIMITERS:
        parsed = list(csv.reader(lines, delimiter=candidate))
        if not parsed or len(parsed[0]) < 2:
            continue
        width = len(parsed[0])
        consistent = sum(len(r) == width for r in parsed[1:])
        score = (consistent, width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() \
            else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path, data: bytes, sheet: str | None) -> Table:
    import openpyxl  # imported here: CSV-only runs do not pay for it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise InputFileError(f"{path}: not a readable .xlsx workbook ({exc})") from None
    if sheet is None:
        worksheet = book.worksheets[0]
    elif sheet in book.sheetnames:
        worksheet = book[sheet]
    else:
        raise InputFileError(f"{path}: no sheet {sheet!r} (sheets: "
                             f"{', '.join(book.sheetnames)})")
    cells = ([_cell_text(v) for v in row] for row in worksheet.iter_rows(values_only=True))
    warnings = [] if sheet or len(book.sheetnames) == 1 else [
        f"read the first sheet {worksheet.title!r} of {len(book.sheetnames)} (choose one "
        "with --sheet)"]
    return _table(path, cells, warnings, None, None)
