"""Precedent cases: reported incidents that findings cite. One YAML file per case."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from .rule_model import HsCodeEntry


class CaseGoods(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    hs_codes: list[HsCodeEntry] = []
    keywords: list[str] = []


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    outlet: str
    published: date | None = None
    published_note: str | None = None
    url: str | None = None
    summary: str
    goods: list[CaseGoods]
    places: list[str] = []
    parties: list[str] = []
    resolutions_cited: list[str] = []
    discrepancies: list[str] = []
    notes: str | None = None
