"""The streaming hot path for the rows that matter least: valid rows with no party any rule
can match. Most rows of a real file are like this, and for them building a RawRow, a
Transaction, a Result and its JSON cost about 20 µs in Python. Here the cells are checked with
the same per-column parsers and caches as `parse_columns`, the pre-filter gate is applied to
the parsed countries, and the Result's JSON is written directly.

Anything unusual (a blank required cell, a value that does not parse, a unit that would give
a warning, an IMO number, text with control characters, a repeated column, surplus or very
long cells, or a party the gate lets through) returns None and the row takes the ordinary
path. The JSON is byte-identical to `Result.model_dump_json()`; tests/test_streaming.py and a
property test check it against the ordinary path.
"""

from __future__ import annotations

import json
from typing import Any

from .ingest import MAX_CELL_CHARS, RowBuilder
from .screener import PARTY_COLUMNS, Screener
from .transaction import CACHED_COLUMNS, GOODS_COLUMNS, PARSERS, REQUIRED_COLUMNS, column_cache

_dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class FastClear:
    def __init__(self, screener: Screener, builder: RowBuilder):
        self.enabled = not builder.duplicates and screener.compiled.column_gate is not None
        self.tables = screener.pack.tables
        self.gate = screener.compiled.column_gate or ()
        self.width = len(builder.names)
        self.columns = [(i, n, PARSERS[n], column_cache(self.tables, n)
                         if n in CACHED_COLUMNS else None)
                        for i, n in enumerate(builder.names) if n in PARSERS]
        self.extra = [(i, builder.header[i]) for i, n in enumerate(builder.names)
                      if n not in PARSERS]
        self.units = self.tables.units

    def json(self, number: int, cells: list[str]) -> str | None:
        """The finished result's JSON when the row is a plain clear row, else None."""
        if not self.enabled or len(cells) > self.width:
            return None
        count = len(cells)
        values: dict[str, Any] = {}
        for index, name, parser, cache in self.columns:
            if index >= count:
                continue
            raw = cells[index]
            if len(raw) > MAX_CELL_CHARS or not raw.isprintable():
                return None
            if not raw.strip():
                continue
            if name == "vessel_imo":
                return None  # a check-digit warning is possible: the full path decides
            if cache is not None:
                hit = cache.get(raw)
                if hit is None:
                    return None  # first sight of this value: let the full path cache it
                if not hit[0]:
                    return None
                values[name] = hit[1]
            else:
                try:
                    values[name] = parser(raw, self.tables)
                except ValueError:
                    return None
        for name in REQUIRED_COLUMNS:
            if name not in values:
                return None
        if not any(name in values for name in GOODS_COLUMNS):
            return None
        unit = values.get("unit")
        if unit is not None and self.units.resolve(unit) is None:
            return None
        for column, allowed in self.gate:
            if values.get(column) in allowed:
                return None
        parties = {k: str(values[k]) for k in PARTY_COLUMNS if values.get(k) is not None}
        extra = {head: cells[i] for i, head in self.extra if i < count}
        for text in extra.values():
            if not text.isprintable():
                return None
        return ('{"row":' + str(number) + ',"id":' + _dump(values["id"])
                + ',"status":"clear","hs_code":' + _dump(values.get("hs_code"))
                + ',"description":' + _dump(values.get("description"))
                + ',"parties":' + _dump(parties)
                + ',"findings":[],"errors":[],"warnings":[],"exemptions":[],"extra":'
                + _dump(extra) + "}")


__all__ = ["FastClear"]
