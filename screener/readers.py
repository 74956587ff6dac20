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
from typing import Any, BinaryIO

from .errors import InputFileError

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
DELIMITER_BY_NAME = {name: char for char, name in DELIMITER_NAMES.items()}
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


HEAD_BYTES = 1 << 20  # encoding and delimiter are decided from the first megabyte


def read_table(source: Source, delimiter: str | None = None, sheet: str | None = None,
               warnings: list[str] | None = None) -> Table:
    """Open a CSV or XLSX file (a path, or an upload held in memory) and stream its rows:
    memory does not grow with the file. Raises InputFileError when it cannot be read as a
    table (a decoding error further into the file is raised while reading, naming the row).
    Notes about the file go to `warnings` (also while the rows are read)."""
    notes = warnings if warnings is not None else []
    if isinstance(source, UploadedFile):
        path, binary = Path(source.name), io.BytesIO(source.data)
    else:
        path = Path(source)
        try:
            binary = path.open("rb")
        except OSError as exc:
            raise InputFileError(f"{path}: cannot read: {exc.strerror}") from None
    head = binary.read(HEAD_BYTES)
    binary.seek(0)
    if head.startswith(XLSX_MAGIC) or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, binary, sheet, notes)
    if sheet is not None:
        raise InputFileError(f"{path}: --sheet applies to .xlsx workbooks, not CSV files")
    encoding, detected = _detect(path, head)
    notes.extend(detected)
    sample = head.decode(encoding, errors="ignore")
    if not sample.strip():
        raise InputFileError(f"{path}: the file is empty")
    chosen = delimiter or _sniff(sample.replace("\0", ""))
    if delimiter is None and chosen != ",":
        notes.append(f"columns are separated by {DELIMITER_NAMES[chosen]}s "
                     "(detected; override with --delimiter)")
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    reader = csv.reader(_without_nul(text, notes), delimiter=chosen, strict=False)
    return _table(path, reader, notes, encoding, chosen)


def _without_nul(lines: Iterator[str], warnings: list[str]) -> Iterator[str]:
    noted = False
    for line in lines:
        if "\0" in line:
            line = line.replace("\0", "")
            if not noted:
                warnings.append("NUL characters were removed from the file")
                noted = True
        yield line


def _table(path: Path, reader: Iterator[list[str]], warnings: list[str],
           encoding: str | None, delimiter: str | None) -> Table:
    try:
        header = next((r for r in reader if any(c.strip() for c in r)), None)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError(f"{path}: cannot read the header: {exc}") from None
    if header is None:
        raise InputFileError(f"{path}: the file has no header row")

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                # blank lines are not data rows (the first cell usually settles it)
                if cells and (cells[0].strip() or any(c.strip() for c in cells)):
                    yield number, cells
        except UnicodeDecodeError as exc:
            raise InputFileError(f"{path}: the text stops being {encoding} after data row "
                                 f"{number} ({exc.reason}); save the whole file in one "
                                 "encoding (CSV UTF-8)") from None
        except csv.Error as exc:
            raise InputFileError(f"{path}: unreadable CSV after data row {number}: {exc}") \
                from None

    return Table(header, rows(), warnings, encoding, delimiter)


def _detect(path: Path, head: bytes) -> tuple[str, list[str]]:
    """The encoding, from the byte-order mark or the first megabyte."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", []
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", []
    if not head.strip():
        raise InputFileError(f"{path}: the file is empty")
    if b"\0" in head[:8192]:
        raise InputFileError(f"{path}: not a CSV file (binary content, or UTF-16 without a "
                             "byte-order mark)")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=len(head) < HEAD_BYTES)
        return "utf-8", []
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path}: neither UTF-8 nor Windows-1252 text (byte "
                             f"{exc.start}); save the file as CSV UTF-8") from None
    return "cp1252", ["the file is not UTF-8: it was read as Windows-1252 "
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


def _read_xlsx(path: Path, binary: BinaryIO, sheet: str | None, notes: list[str]) -> Table:
    import openpyxl  # imported here: CSV-only runs do not pay for it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(binary, read_only=True, data_only=True)
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
    if not sheet and len(book.sheetnames) > 1:
        notes.append(f"read the first sheet {worksheet.title!r} of {len(book.sheetnames)} "
                     "(choose one with --sheet)")
    return _table(path, cells, notes, None, None)
