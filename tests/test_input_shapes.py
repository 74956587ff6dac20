"""Inputs as they really come: each shape with a real file."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from screener import InputFileError
from screener.cli import main

HEADER = ["id", "date", "exporter_country", "importer_country", "hs_code", "description",
          "remarks"]
ROWS = [["A1", "2019-01-14", "KP", "CN", "2603.00", "Copper concentrate", "Kangsong"],
        ["A2", "2019-01-14", "CN", "KP", "1101.00", "Wheat flour", "Dandong Grain"],
        ["A3", "2019-01-14", "KP", "Côte d'Ivoire", "7108.12", "Or en lingots",
         "Société Mirim"]]
EXPECTED = ["violation", "clear", "violation"]


def csv_text(delimiter=",", newline="\n", rows=ROWS):
    lines = [delimiter.join(HEADER)] + [delimiter.join(r) for r in rows]
    return newline.join(lines) + newline


def statuses(report):
    return [r.status for r in report.results]


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"),
                                               ("utf-16-le", b"\xff\xfe"),
                                               ("utf-16-be", b"\xfe\xff")])
def test_unicode_encodings(screener, tmp_path, encoding, bom):
    path = tmp_path / "in.csv"
    path.write_bytes(bom + csv_text().encode(encoding))
    report = screener.screen(path)
    assert statuses(report) == EXPECTED
    assert report.results[2].extra["remarks"] == "Société Mirim"
    assert report.results[2].description == "Or en lingots"
    assert report.warnings == []


def test_windows_1252_is_detected_with_a_warning(screener, tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(csv_text(newline="\r\n").encode("cp1252"))
    report = screener.screen(path)
    assert statuses(report) == EXPECTED
    assert report.results[2].extra["remarks"] == "Société Mirim"
    assert any("Windows-1252" in w for w in report.warnings)


@pytest.mark.parametrize(("delimiter", "name"), [(";", "semicolon"), ("\t", "tab"),
                                                 ("|", "pipe")])
def test_delimiters_are_sniffed(screener, tmp_path, delimiter, name):
    path = tmp_path / "in.csv"
    path.write_text(csv_text(delimiter), encoding="utf-8")
    report = screener.screen(path)
    assert statuses(report) == EXPECTED
    assert any(name in w for w in report.warnings)


def test_delimiter_override(screener, tmp_path):
    # a header with commas inside one column name would fool the sniffer; --delimiter wins
    path = tmp_path / "in.csv"
    path.write_text(csv_text(";"), encoding="utf-8")
    assert statuses(screener.screen(path, delimiter=";")) == EXPECTED
    with pytest.raises(InputFileError, match="required column"):
        screener.screen(path, delimiter=",")


def test_crlf_quoted_newlines_and_trailing_blank_lines(screener, tmp_path):
    text = ("id,date,exporter_country,importer_country,hs_code,description\r\n"
            'Q1,2019-01-14,KP,CN,2603,"Copper concentrate,\r\nHyesan ""Masan"" mine"\r\n'
            "Q2,2019-01-14,CN,KP,1101,flour\r\n\r\n\r\n  \r\n")
    path = tmp_path / "in.csv"
    path.write_bytes(text.encode("utf-8"))
    report = screener.screen(path)
    assert statuses(report) == ["violation", "clear"]
    assert report.results[0].description == 'Copper concentrate, Hyesan "Masan" mine'
    assert [r.row for r in report.results] == [1, 2]


def _workbook(path, sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)


def test_xlsx_first_sheet_and_named_sheet(screener, tmp_path, capsys):
    path = tmp_path / "book.xlsx"
    typed = [["X1", dt.datetime(2019, 1, 14), "KP", "CN", "2603.00", "copper", None],
             ["X2", dt.date(2019, 1, 14), "CN", "KP", 1101, "flour", None]]
    _workbook(path, {"Notes": [["nothing here"]], "Shipments": [HEADER, *typed]})
    with pytest.raises(InputFileError, match="required column"):
        screener.screen(path)  # the first sheet is not the table
    report = screener.screen(path, sheet="Shipments")
    assert statuses(report) == ["violation", "clear"]
    with pytest.raises(InputFileError, match=r"no sheet 'Nope' \(sheets: Notes, Shipments\)"):
        screener.screen(path, sheet="Nope")
    assert main(["screen", str(path), "--sheet", "Shipments", "--no-ledger", "-o",
                 str(tmp_path / "o.txt")]) == 0


def test_xlsx_single_sheet_without_option(screener, tmp_path):
    path = tmp_path / "one.xlsx"
    _workbook(path, {"Data": [HEADER, ["Y1", "2019-01-14", "KP", "CN", "2603", "", ""]]})
    assert statuses(screener.screen(path)) == ["violation"]


def test_duplicate_header_names(screener, tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("id,date,exporter_country,importer_country,hs_code,HS Code\n"
                    "D1,2019-01-14,KP,CN,2603,2603\n"
                    "D2,2019-01-14,KP,CN,2603,1101\n"
                    "D3,2019-01-14,KP,CN,,2603\n", encoding="utf-8")
    report = screener.screen(path)
    assert statuses(report) == ["violation", "error", "violation"]
    error = report.results[1].errors[0]
    assert error.row == 2 and error.column == "HS Code"
    assert "'1101' disagrees with '2603' in column 5" in error.message
    assert any("both mean 'hs_code'" in w for w in report.warnings)


def test_overlong_fields_are_row_errors_not_crashes(screener, tmp_path):
    path = tmp_path / "long.csv"
    long_value = "x" * 200_000  # over csv's own 128 KiB field limit
    path.write_text("id,date,exporter_country,importer_country,hs_code,description\n"
                    f"L1,2019-01-14,KP,CN,2603,{long_value}\n"
                    "L2,2019-01-14,KP,CN,2603,copper\n", encoding="utf-8")
    report = screener.screen(path)
    assert statuses(report) == ["error", "violation"]
    error = report.results[0].errors[0]
    assert error.column == "description" and "200000 characters" in error.message


def test_nul_characters_late_in_the_file(screener, tmp_path):
    path = tmp_path / "nul.csv"
    body = "id,date,exporter_country,importer_country,hs_code\n" + \
        "".join(f"N{i},2019-01-14,CN,VN,1101\n" for i in range(400))
    path.write_bytes(body.encode() + b"N999,2019-01-14,KP,CN,26\x0003\n")
    report = screener.screen(path)
    assert len(report.results) == 401 and report.results[-1].status == "violation"
    assert any("NUL" in w for w in report.warnings)


def test_a_file_that_changes_encoding_late_is_refused_naming_the_row(screener, tmp_path):
    path = tmp_path / "mixed.csv"
    head = "id,date,exporter_country,importer_country,hs_code,description\n"
    rows = "".join(f"M{i},2019-01-14,CN,VN,1101,flour\n" for i in range(40_000))  # > 1 MB
    path.write_bytes((head + rows).encode() + b"M-last,2019-01-14,CN,VN,1101,caf\xe9\n")
    with pytest.raises(InputFileError, match=r"stops being utf-8 after data row \d+"):
        screener.screen(path)
