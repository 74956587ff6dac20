"""Convert delivered quantities to barrels, with the product-specific factors of the rule
pack's `tables/conversions.yaml`. What cannot be converted says why; it is never zero."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from .keywords import KeywordIndex
from .rule_model import HsCodeEntry
from .text import fold
from .transaction import Transaction


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VolumeFactors(_Strict):
    bbl_per_m3: float = Field(gt=0)
    source: str


class Product(_Strict):
    id: str
    name: str
    hs_codes: list[HsCodeEntry] = []
    keywords: list[str] = []
    bbl_per_tonne: float = Field(gt=0)
    source: str


class ConversionTable(_Strict):
    volume: VolumeFactors
    products: list[Product]


@dataclass(frozen=True)
class Conversion:
    barrels: float | None
    product: Product | None
    problem: str | None = None  # why no conversion was possible
    volume: bool = False  # converted by volume, independent of the product

    @property
    def basis(self) -> str:
        if self.volume or self.product is None:
            return "volume (6.289811 bbl per m3)"
        return f"{self.product.name}, {self.product.bbl_per_tonne} bbl/t"


class Converter:
    def __init__(self, table: ConversionTable):
        self.table = table
        self.keywords = KeywordIndex(k for p in table.products for k in p.keywords)
        self._keys = [(p, {fold(k) for k in p.keywords}) for p in table.products]

    def product(self, tx: Transaction) -> tuple[Product | None, str | None]:
        """The product of a row: named by its description, else by its HS code."""
        found = self.keywords.find(tx.description) if tx.description else set()
        named = [product for product, keys in self._keys if keys & found]
        if len(named) == 1:
            return named[0], None
        if len(named) > 1:
            return None, ("the description names several products ("
                          + ", ".join(p.name for p in named) + ")")
        by_code = [p for p in self.table.products
                   if tx.hs_code and any(tx.hs_code.startswith(h.code) for h in p.hs_codes)]
        if len(by_code) == 1:
            return by_code[0], None
        return None, ("the product is not identified (name it in the description: "
                      + ", ".join(p.name for p in self.table.products) + ")")

    def to_barrels(self, tx: Transaction) -> Conversion:
        if tx.quantity is None:
            return Conversion(None, None, "the quantity is missing")
        unit = tx.unit
        named, _ = self.product(tx)  # for the ledger's totals by product; volume needs none
        if unit == "bbl":
            return Conversion(tx.quantity, named, volume=True)
        if unit in ("m3", "l"):
            cubic = tx.quantity if unit == "m3" else tx.quantity / 1000
            return Conversion(cubic * self.table.volume.bbl_per_m3, named, volume=True)
        if unit in ("t", "kg"):
            product, problem = self.product(tx)
            if product is None:
                return Conversion(None, None, f"a weight cannot be converted to barrels: "
                                  f"{problem}")
            tonnes = tx.quantity if unit == "t" else tx.quantity / 1000
            return Conversion(tonnes * product.bbl_per_tonne, product)
        shown = "missing" if unit is None else f"{unit!r}"
        return Conversion(None, None, f"the unit is {shown}: give bbl, l, m3, t or kg")

