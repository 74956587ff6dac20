"""The canonical trade transaction: one normalised CSV row or API record.

Validation needs the rule pack's tables (country aliases, units); they are passed as pydantic
validation context: `Transaction.model_validate(raw, context={"tables": tables})`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

from . import values as v

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
    def _blank_is_missing(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: (None if v.is_blank(val) else val) for k, val in data.items()}
        return data

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, value: Any) -> str:
        return str(value).strip()

    @field_validator("date", "contract_date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> date | None:
        return None if value is None else v.parse_date(value)

    @field_validator(*COUNTRY_COLUMNS, mode="before")
    @classmethod
    def _country(cls, value: Any, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        return _tables(info).countries.resolve(str(value))

    @field_validator("hs_code", mode="before")
    @classmethod
    def _hs(cls, value: Any) -> str | None:
        return None if value is None else v.normalise_hs_code(value)

    @field_validator(*NUMBER_COLUMNS, mode="before")
    @classmethod
    def _number(cls, value: Any) -> float | None:
        return None if value is None else v.parse_number(value)

    @field_validator(*BOOL_COLUMNS, mode="before")
    @classmethod
    def _bool(cls, value: Any) -> bool | None:
        return None if value is None else v.parse_bool(value)

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, value: Any, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        # An unknown unit does not stop screening (no DPRK goods rule depends on units);
        # it is kept as written and the row gets a warning (see ingest.unit_warning).
        return _tables(info).units.resolve(str(value)) or str(value).strip()

    @field_validator("vessel_imo", mode="before")
    @classmethod
    def _imo(cls, value: Any) -> str | None:
        return None if value is None else v.normalise_imo(value)

    @field_validator(*TEXT_COLUMNS, mode="before")
    @classmethod
    def _text(cls, value: Any) -> str | None:
        return None if value is None else " ".join(str(value).split())

    @model_validator(mode="after")
    def _goods_given(self) -> Transaction:
        if self.hs_code is None and self.description is None:
            raise ValueError("neither hs_code nor description is given: the goods are unknown")
        return self


def _tables(info: ValidationInfo) -> Tables:
    if not info.context or "tables" not in info.context:
        raise RuntimeError("Transaction validation needs context={'tables': Tables}")
    return info.context["tables"]


CANONICAL_COLUMNS: tuple[str, ...] = tuple(Transaction.model_fields)
