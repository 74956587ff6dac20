"""Turn a Transaction into the flat fact that durable_rules evaluates.

The fact carries only engine-friendly values: ISO date strings (they compare correctly as text),
floats, booleans, upper-case country codes, folded free text, HS prefixes at every level
(`hs2`, `hs4`, `hs6`, ... so that prefix tests are equalities) and one boolean key per keyword
found in the description. durable_rules compares loosely ('abc' > 50000 is true), so typing
here is what keeps rule comparisons honest.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .keywords import KeywordIndex
from .text import fold
from .transaction import (
    BOOL_COLUMNS,
    CANONICAL_COLUMNS,
    COUNTRY_COLUMNS,
    NUMBER_COLUMNS,
    Transaction,
)

HS_LEVELS = (2, 4, 6, 8, 10)
RECORD_ID_KEY = "record_id"  # the fact's own `id` is durable_rules' identity key
# Columns whose canonical value goes into the fact unchanged.
PLAIN_COLUMNS = frozenset(COUNTRY_COLUMNS) | frozenset(BOOL_COLUMNS) | {"unit", "vessel_imo"}
_PLAIN = PLAIN_COLUMNS | frozenset(NUMBER_COLUMNS)


def engine_number(value: float) -> int | float:
    """durable_rules cannot parse numbers in exponent form (1e+16, 1e-05: error 204), which
    is how Python's JSON writes large and tiny floats: integral values go as ints, others
    rounded to 4 decimals (tiny values become 0.0)."""
    if value.is_integer():
        return int(value)
    return round(value, 4)


def fact_key(column: str) -> str:
    return RECORD_ID_KEY if column == "id" else column


def build_fact(tx: Transaction, internal_id: str, keywords: KeywordIndex,
               columns: frozenset[str] | None = None) -> dict[str, Any]:
    """The fact for `tx`. With `columns`, only those transaction columns are copied (the ones
    some rule tests); the date, HS levels and keyword keys are always present."""
    fact: dict[str, Any] = {"id": internal_id, "date": tx.date.isoformat()}
    for column in columns if columns is not None else CANONICAL_COLUMNS:
        value = getattr(tx, column)
        if value is None or column == "date":
            continue
        if isinstance(value, date):
            fact[column] = value.isoformat()
        elif isinstance(value, float):
            fact[column] = engine_number(value)
        else:
            fact[fact_key(column)] = value if column in _PLAIN or column == "id" else fold(value)
    code = tx.hs_code
    fact["has_hs"] = code is not None
    if code is not None:
        fact["hs_code"] = code
        for level in HS_LEVELS:
            if len(code) >= level:
                fact[f"hs{level}"] = code[:level]
    fact["has_description"] = tx.description is not None
    if tx.description:
        for keyword in keywords.find(tx.description):
            fact[f"kw{keywords.ids[keyword]}"] = True
    return fact
