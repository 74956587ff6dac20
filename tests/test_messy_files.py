"""Property-based: messy CSV files (encodings, delimiters, quoting, junk values, missing cells,
unicode, very long fields) never crash the screener and never lose a row."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from screener import Screener, load_rules

from .conftest import ROOT

SCREENER = Screener(load_rules(ROOT / "rules"))
CAPPED = {r.id for r in SCREENER.pack.rules if r.aggregate is not None}
COLUMNS = ["id", "date", "exporter_country", "importer_country", "origin_country", "hs_code",
           "description", "quantity", "unit", "value_usd", "vessel_flag", "ship_to_ship",
           "notified_to_committee", "remarks"]

VALID = {
    "date": st.dates(min_value=__import__("datetime").date(2014, 1, 1),
                     max_value=__import__("datetime").date(2025, 12, 31)).map(str),
    "exporter_country": st.sampled_from(["KP", "CN", "North Korea", "South Korea", "RU", "DPRK",
                                         "Viet Nam", "KOR", "Korea, Democratic People's "
                                         "Republic of"]),
    "importer_country": st.sampled_from(["CN", "KP", "JP", "PRK", "Korea, Republic of"]),
    "origin_country": st.sampled_from(["", "KP", "CN", "RU"]),
    "hs_code": st.sampled_from(["2603.00", "2701.12", "7108", "1101", "2709", "2710.19", "0303",
                                "8703.23", "2613.90", "25 19 90", ""]),
    "description": st.sampled_from(["copper concentrate", "anthracite", "wheat flour", "gold",
                                    "minerals", "diesel", "Frozen squid", "", "T-shirts"]),
    "quantity": st.integers(0, 10**7).map(str) | st.just(""),
    "unit": st.sampled_from(["t", "kg", "bbl", "MT", "", "l"]),
    "value_usd": st.integers(0, 10**8).map(str) | st.just(""),
    "vessel_flag": st.sampled_from(["", "KP", "PA", "Sierra Leone"]),
    "ship_to_ship": st.sampled_from(["", "true", "false", "yes"]),
    "notified_to_committee": st.sampled_from(["", "true", "false"]),
    "remarks": st.text(max_size=20),
}
JUNK = (st.text(max_size=40)
        | st.sampled_from(["", " ", "N/A", "NULL", "=cmd|' /C calc'!A0", "１２３", "🙂",
                           "2019-02-30", "-5", "1e400", "Korea", "26O3", "nan", "∞"])
        | st.text(alphabet="xyz,;\"\n\r\t", min_size=1, max_size=3).map(lambda s: s * 3500))


@st.composite
def messy_rows(draw):
    count = draw(st.integers(0, 6))
    rows, clean = [], []
    for index in range(count):
        row, is_clean = {}, True
        for column in COLUMNS:
            if column == "id":
                row["id"] = draw(st.sampled_from([f"T{index}", f"T{index}", "T0", ""]))
                is_clean &= row["id"] != ""
                continue
            if draw(st.booleans()) and draw(st.integers(0, 3)) == 0:
                row[column] = draw(JUNK)
                is_clean = False
            else:
                row[column] = draw(VALID[column])
        is_clean &= bool(row["hs_code"] or row["description"])
        rows.append(row)
        clean.append(is_clean)
    return rows, clean


def encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16":
        return text.encode("utf-16")  # with BOM
    if encoding == "utf-8-sig":
        return text.encode("utf-8-sig")
    if encoding == "cp1252":
        try:
            return text.encode("cp1252")
        except UnicodeEncodeError:
            return text.encode("utf-8")
    return text.encode("utf-8")


@given(data=messy_rows(),
       delimiter=st.sampled_from([",", ";", "\t", "|"]),
       quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
       newline=st.sampled_from(["\n", "\r\n"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
       header_case=st.sampled_from([str, str.upper, lambda h: f" {h.replace('_', ' ')} "]),
       trailing_blank=st.integers(0, 3))
def test_messy_files_never_crash_and_never_lose_rows(data, delimiter, quoting, newline, encoding,
                                                      header_case, trailing_blank):
    rows, clean = data
    rows = [{k: v.replace("\0", "") for k, v in row.items()} for row in rows]
    def line(cells: list[str]) -> str:
        # RFC 4180 quoting (Python's csv.writer leaves a lone "\r" unquoted when the line
        # terminator is "\n", which would write a different file than intended)
        def quote(cell: str) -> str:
            special = any(ch in cell for ch in (delimiter, '"', "\r", "\n"))
            if quote_all or special:
                return '"' + cell.replace('"', '""') + '"'
            return cell
        return delimiter.join(quote(c) for c in cells) + newline

    quote_all = quoting == csv.QUOTE_ALL
    text = line([header_case(c) for c in COLUMNS])
    text += "".join(line([row[c] for c in COLUMNS]) for row in rows)
    text += newline * trailing_blank
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "messy.csv"
        path.write_bytes(encode(text, encoding))
        report = SCREENER.screen(path, delimiter=delimiter)
    data_rows = [i for i, row in enumerate(rows) if any(v.strip() for v in row.values())]
    assert len(report.results) == len(data_rows)
    assert report.summary.rows == len(data_rows)
    ids = [row["id"] for row in rows]
    for result, index in zip(report.results, data_rows, strict=True):
        assert result.row == index + 1
        if result.status == "error":
            assert result.errors
            for error in result.errors:
                assert error.row == result.row
                assert error.column is not None
                assert error.message.startswith(f"row {result.row}")
        elif clean[index] and ids.count(ids[index]) == 1:
            if any(f.rule_id in CAPPED for f in result.findings):
                continue  # caps depend on the other rows by design
            alone = SCREENER.screen([rows[index]]).results[0]
            assert (alone.status, [f.rule_id for f in alone.findings]) == \
                (result.status, [f.rule_id for f in result.findings])
