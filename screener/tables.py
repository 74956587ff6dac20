"""Lookup tables that belong to a rule pack: country names and units.

ISO 3166 comes from pycountry; the aliases that matter for sanctions screening (every way of
writing the DPRK, and the Republic of Korea that must never be taken for it) live in the rule
pack's `tables/countries.yaml`, so that legal knowledge stays in data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pycountry
from pydantic import BaseModel, ConfigDict

from .conversions import ConversionTable, Converter
from .text import fold
from .yamlio import read_yaml


class CountryTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    aliases: dict[str, list[str]] = {}
    ambiguous: dict[str, str] = {}
    notes: str | None = None


class UnitTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    units: dict[str, list[str]]
    notes: str | None = None


@dataclass(frozen=True)
class CountryResolver:
    """Maps any accepted spelling of a country to its ISO 3166 alpha-2 code."""

    by_key: dict[str, str]
    ambiguous: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, table: CountryTable) -> CountryResolver:
        by_key: dict[str, str] = {}
        problems: list[str] = []

        def add(name: str, code: str, origin: str) -> None:
            key = fold(name)
            if not key:
                return
            known = by_key.get(key)
            if known is not None and known != code:
                problems.append(f"{origin}: {name!r} would mean both {known} and {code}")
            by_key[key] = code

        for country in pycountry.countries:
            code = country.alpha_2
            for attr in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
                value = getattr(country, attr, None)
                if value:
                    add(value, code, "ISO 3166")
        for code, names in table.aliases.items():
            if pycountry.countries.get(alpha_2=code) is None:
                problems.append(f"aliases: {code!r} is not an ISO 3166 alpha-2 code")
                continue
            for name in names:
                add(name, code, f"aliases.{code}")
        ambiguous = {fold(k): v for k, v in table.ambiguous.items()}
        for key in ambiguous:
            by_key.pop(key, None)
        if problems:
            raise ValueError("; ".join(problems))
        return cls(by_key=by_key, ambiguous=ambiguous)

    def resolve(self, value: str) -> str:
        """Return the alpha-2 code or raise ValueError with a message fit for an officer."""
        key = fold(value)
        if key in self.ambiguous:
            raise ValueError(f"ambiguous country {value!r}: {self.ambiguous[key]}")
        code = self.by_key.get(key)
        if code is None:
            raise ValueError(f"unrecognised country {value!r} (use an ISO 3166 code or name)")
        return code


@dataclass(frozen=True)
class UnitResolver:
    by_key: dict[str, str]

    @classmethod
    def build(cls, table: UnitTable) -> UnitResolver:
        by_key: dict[str, str] = {}
        for canonical, names in table.units.items():
            for name in [canonical, *names]:
                by_key[name.strip().casefold()] = canonical
        return cls(by_key)

    def resolve(self, value: str) -> str | None:
        """Canonical unit, or None when the unit is not in the vocabulary."""
        return self.by_key.get(value.strip().casefold())


@dataclass(frozen=True)
class Tables:
    countries: CountryResolver
    units: UnitResolver
    conversions: Converter | None = None


def load_tables(countries_path: Path, units_path: Path,
                conversions_path: Path | None = None) -> Tables:
    countries = CountryTable.model_validate(read_yaml(countries_path))
    units = UnitTable.model_validate(read_yaml(units_path))
    conversions = None
    if conversions_path is not None and conversions_path.is_file():
        conversions = Converter(ConversionTable.model_validate(read_yaml(conversions_path)))
    return Tables(CountryResolver.build(countries), UnitResolver.build(units), conversions)
