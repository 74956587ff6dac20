"""Property: the streaming fast path for plain clear rows writes exactly the JSON the full
path writes, for messy generated files (the second pass over a file hits the caches that make
the fast path apply)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from screener.render import write_json
from screener.streaming import stream_screen

from .test_messy_files import COLUMNS, SCREENER, messy_rows


def _csv(rows: list[dict[str, str]], extra_column: bool) -> str:
    def quote(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"'
    header = COLUMNS + (["Bank reference"] if extra_column else [])
    lines = [",".join(quote(c) for c in header)]
    for index, row in enumerate(rows):
        cells = [row[c].replace("\0", "") for c in COLUMNS]
        if extra_column:
            cells.append(f"REF-{index} ✓")
        lines.append(",".join(quote(c) for c in cells))
    return "\r\n".join(lines) + "\r\n"


@settings(max_examples=300)
@given(data=messy_rows(), extra_column=st.booleans())
def test_fast_path_output_is_identical(data, extra_column):
    rows, _ = data
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.csv"
        path.write_text(_csv(rows, extra_column), encoding="utf-8")
        expected = io.StringIO()
        write_json(SCREENER.screen(path), expected)
        for _ in range(2):  # the first pass fills the value caches, the second uses them
            streamed = io.StringIO()
            stream_screen(SCREENER, path, streamed, "json")
            assert streamed.getvalue() == expected.getvalue()


def test_fast_path_is_really_taken(tmp_path, monkeypatch):
    from screener import fastclear
    path = tmp_path / "clear.csv"
    path.write_text("id,date,exporter_country,importer_country,hs_code,description,note\n"
                    + "".join(f"C{i},2019-01-14,CN,VN,1101,wheat flour,é {i}\n"
                              for i in range(50)), encoding="utf-8")
    calls = {"fast": 0}
    original = fastclear.FastClear.json

    def counting(self, number, cells):
        text = original(self, number, cells)
        calls["fast"] += text is not None
        return text

    monkeypatch.setattr(fastclear.FastClear, "json", counting)
    out = io.StringIO()
    stream_screen(SCREENER, path, out, "json")
    assert calls["fast"] >= 45  # all but the first sight of each value
    expected = io.StringIO()
    write_json(SCREENER.screen(path), expected)
    assert out.getvalue() == expected.getvalue()
