"""The canonical trade transaction: one normalised CSV row or API record.

Validation needs the rule pack's tables (country aliases, units); they are passed as pydantic
validation context: `Transaction.model_validate(raw, context={"tables": tables})`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, model_validator

from . import values as v
from .fastmodel import construct

if TYPE_CHECKING:
    from .tables import Tables

REQUIRED_COLUMNS = ("id", "date", "exporter_country", "importer_country")
GOODS_COLUMNS = ("hs_code", "description")
COUNTRY_COLUMNS = ("exporter_country", "importer_country", "origin_country",
                   "destination_country", "vessel_flag")
NUMBER_COLUMNS = ("quantity", "value_usd")
BOOL_COLUMNS = ("ship_to_ship", "notified_to_committee")
TEXT_COLUMNS = ("description", "exporter", "importer", "vessel_name", "port_of_loading",
                "port_of_discharge", "payment")


class Transaction(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    date: date
    exporter_country: str
    importer_country: str
    origin_country: str | None = None
    destination_country: str | None = None
    hs_code: str | None = None
    description: str | None = None
    quantity: float | None = None
    unit: str | None = None
    value_usd: float | None = None
    exporter: str | None = None
    importer: str | None = None
    vessel_name: str | None = None
    vessel_imo: str | None = None
    vessel_flag: str | None = None
    port_of_loading: str | None = None
    port_of_discharge: str | None = None
    ship_to_ship: bool | None = None
    payment: str | None = None
    notified_to_committee: bool | None = None
    contract_date: date | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any, info: ValidationInfo) -> Any:
        """Validation through pydantic uses the same column parsers as the fast path."""
        if not isinstance(data, dict):
            return data
        if not info.context or "tables" not in info.context:
            raise RuntimeError("Transaction validation needs context={'tables': Tables}")
        values, problems = parse_columns(data, info.context["tables"])
        if problems:
            column, _, message = problems[0]
            raise ValueError(f"{column}: {message}")
        return values

    @model_validator(mode="after")
    def _goods_given(self) -> Transaction:
        if self.hs_code is None and self.description is None:
            raise ValueError(NO_GOODS)
        return self


NO_GOODS = "neither hs_code nor description is given: the goods are unknown"
Parser = Callable[[Any, "Tables"], Any]


def _country(value: Any, tables: Tables) -> str:
    return tables.countries.resolve(str(value))


def _unit(value: Any, tables: Tables) -> str:
    # An unknown unit does not stop screening (no DPRK goods rule depends on units): it is
    # kept as written and the row gets a warning (ingest._warnings).
    return tables.units.resolve(str(value)) or str(value).strip()


def _text(value: Any, tables: Tables) -> str:
    return " ".join(str(value).split())


PARSERS: dict[str, Parser] = {
    "id": lambda value, tables: str(value).strip(),
    "date": lambda value, tables: v.parse_date(value),
    "contract_date": lambda value, tables: v.parse_date(value),
    "hs_code": lambda value, tables: v.normalise_hs_code(value),
    "unit": _unit,
    "vessel_imo": lambda value, tables: v.normalise_imo(value),
    **{c: _country for c in COUNTRY_COLUMNS},
    **{c: (lambda value, tables: v.parse_number(value)) for c in NUMBER_COLUMNS},
    **{c: (lambda value, tables: v.parse_bool(value)) for c in BOOL_COLUMNS},
    **{c: _text for c in TEXT_COLUMNS},
}


# Columns whose values repeat across rows (countries, dates, codes, units, flags): their
# parsed text is memoised per rule-pack tables. Free text, ids and amounts are not.
CACHED_COLUMNS = frozenset(COUNTRY_COLUMNS) | frozenset(BOOL_COLUMNS) | {
    "date", "contract_date", "hs_code", "unit", "port_of_loading", "port_of_discharge"}
_CACHE_LIMIT = 100_000
_caches: dict[int, dict[str, dict[str, tuple[bool, Any]]]] = {}


def _tables_caches(tables: Tables) -> dict[str, dict[str, tuple[bool, Any]]]:
    return _caches.setdefault(id(tables), {c: {} for c in PARSERS})


def column_cache(tables: Tables, column: str) -> dict[str, tuple[bool, Any]]:
    """The memo of parsed values of one cached column: {text: (ok, value or message)}."""
    return _tables_caches(tables)[column]


def parse_columns(data: dict[str, Any], tables: Tables) -> tuple[dict[str, Any],
                                                                list[tuple[str, Any, str]]]:
    """Canonical values of the given columns, and (column, value, message) for each cell that
    cannot be read. Blank cells are missing values. Unknown columns are left out."""
    values: dict[str, Any] = {}
    problems: list[tuple[str, Any, str]] = []
    caches = _caches.get(id(tables)) or _tables_caches(tables)
    for column, raw in data.items():
        parser = PARSERS.get(column)
        if parser is None or raw is None:
            continue
        if raw.__class__ is str:
            if not raw.strip():
                continue
            cache = caches[column] if column in CACHED_COLUMNS else None
        else:
            cache = None
        if cache is not None:
            hit = cache.get(raw)
            if hit is None:
                try:
                    hit = (True, parser(raw, tables))
                except ValueError as exc:
                    hit = (False, str(exc))
                if len(cache) >= _CACHE_LIMIT:
                    cache.clear()
                cache[raw] = hit
            if hit[0]:
                values[column] = hit[1]
            else:
                problems.append((column, raw, hit[1]))
            continue
        try:
            values[column] = parser(raw, tables)
        except ValueError as exc:
            problems.append((column, raw, str(exc)))
    return values, problems


def build_transaction(data: dict[str, Any], tables: Tables) -> tuple[
        Transaction | None, list[tuple[str | None, Any, str]]]:
    """The fast path used for every uploaded row: the same parsers as pydantic validation,
    then model_construct (the values are already canonical and typed). Returns the
    transaction, or None and every problem as (column, value, message)."""
    values, problems = parse_columns(data, tables)
    located: list[tuple[str | None, Any, str]] = list(problems)
    for column in REQUIRED_COLUMNS:
        if column not in values and not any(p[0] == column for p in problems):
            located.append((column, data.get(column), "required value is missing"))
    if located:
        return None, located
    if "hs_code" not in values and "description" not in values:
        return None, [("hs_code", None, NO_GOODS)]
    return _construct(values), []


def _construct(values: dict[str, Any]) -> Transaction:
    """Every field set; unset ones are None, which is each optional field's default."""
    fields = dict.fromkeys(_FIELD_NAMES)
    fields.update(values)
    return construct(Transaction, fields, set(values))


CANONICAL_COLUMNS: tuple[str, ...] = tuple(Transaction.model_fields)
assert set(PARSERS) == set(CANONICAL_COLUMNS)
_FIELD_NAMES = CANONICAL_COLUMNS
assert all(f.default is None for name, f in Transaction.model_fields.items()
           if name not in REQUIRED_COLUMNS)
