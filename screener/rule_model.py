"""The YAML rule format (a public interface) as pydantic models. Unknown keys are errors."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from .values import normalise_hs_code

RULE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_SUBPARAGRAPH = re.compile(r"^(\([a-z0-9]+\))+$")

Scalar = str | float | bool | date


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class HsCode(_Strict):
    """An HS prefix: "2603" matches every code that starts with 2603."""

    code: str
    label: str | None = None
    # "resolution": the resolution text prints this code; "correspondence": the standard
    # HS correspondence for goods the text names in words.
    source: Literal["resolution", "correspondence"] = "correspondence"
    # An "ex" code: only part of what the code covers is under the provision (261590 holds
    # vanadium but also niobium and tantalum ores). It matches only when the description names
    # the goods; otherwise the row is a review.
    ex: bool = False
    # The HS edition the code belongs to when it is not in HS 2022 (e.g. "HS2017" for 8803).
    edition: str | None = None

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        code = normalise_hs_code(value)
        if len(code) % 2 or len(code) > 10:
            raise ValueError(f"HS prefix {code!r} must have 2, 4, 6, 8 or 10 digits")
        return code


def _hs_shorthand(data: Any) -> Any:
    return {"code": str(data)} if isinstance(data, str | int) else data


# In YAML an HS code may be a plain string ("2603") or a mapping with label, source, ex.
HsCodeEntry = Annotated[HsCode, BeforeValidator(_hs_shorthand,
                                                json_schema_input_type=HsCode | str)]


def _check_keywords(value: list[str]) -> list[str]:
    for keyword in value:
        if not keyword.strip():
            raise ValueError("empty keyword")
    return value


class Condition(_Strict):
    """A test on one transaction field, e.g. `{in: [Rajin, Rason]}` or `{equals: true}`."""

    equals: Scalar | None = None
    not_equals: Scalar | None = None  # also true when the column is blank
    in_: list[Scalar] | None = Field(default=None, alias="in")
    not_in: list[Scalar] | None = None
    gt: float | date | None = None
    gte: float | date | None = None
    lt: float | date | None = None
    lte: float | date | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        given = [name for name in type(self).model_fields if getattr(self, name) is not None]
        if not given:
            raise ValueError("a condition needs one of equals, not_equals, in, not_in, gt, "
                             "gte, lt, lte")
        return self


class RuleException(_Strict):
    """An exception written into the provision. With `when` and/or `hs_codes`, the screener
    checks it against the record; with neither, it cannot be decided from trade data and is
    shown on every finding as a caveat."""

    id: str
    description: str
    when: dict[str, Condition] | None = None
    hs_codes: list[HsCodeEntry] = []
    effect: Literal["exempt", "review"] = "exempt"

    @property
    def decidable(self) -> bool:
        return self.when is not None or bool(self.hs_codes)


class ExampleExpect(_Strict):
    """What a must-match example must also show (all optional)."""

    verdict: Literal["violation", "review"] | None = None
    citation: str | None = None
    precedents: list[str] | None = None


class Example(_Strict):
    """A record (as a CSV row or API dict would give it) and, optionally, expectations. In YAML
    a bare record mapping is accepted as shorthand for `{record: ...}`."""

    record: dict[str, Any]
    expect: ExampleExpect | None = None
    note: str | None = None


def _example_shorthand(data: Any) -> Any:
    return {"record": data} if isinstance(data, dict) and "record" not in data else data


ExampleEntry = Annotated[Example, BeforeValidator(_example_shorthand,
                                                  json_schema_input_type=Example | dict)]


class RollingPeriod(_Strict):
    rolling_12_months_from: date


class Aggregate(_Strict):
    """A cap that only a running total can judge (2397 OP4, OP5). Deliveries the rule matches
    are converted to `unit`, added up per period (and per `group_by` columns) in date order,
    across the rows of a file and, with a ledger, across uploads."""

    measure: Literal["volume"] = "volume"
    unit: Literal["bbl"] = "bbl"
    period: Literal["calendar_year"] | RollingPeriod
    starts: date | None = None  # first day counted (e.g. 2018-01-01 for 2397 OP5)
    cap: float = Field(gt=0)
    group_by: list[str] = []
    alerts: list[float] = [0.75, 0.9, 0.95]

    @field_validator("alerts")
    @classmethod
    def _alerts(cls, value: list[float]) -> list[float]:
        if any(not 0 < share < 1 for share in value):
            raise ValueError("alerts are shares of the cap between 0 and 1, e.g. 0.9")
        return sorted(value)


class Examples(_Strict):
    match: list[ExampleEntry] = []
    no_match: list[ExampleEntry] = []


class Rule(_Strict):
    id: str
    title: str
    resolution: str
    paragraph: str  # the operative paragraph number, e.g. "28"
    subparagraph: str | None = None  # e.g. "(a)(iii)" for 1718 OP8(a)(iii)
    adopted: date
    in_force_from: date | None = None
    in_force_until: date | None = None  # last day on which the rule applies (inclusive)
    superseded_by: str | None = None
    direction: str
    country: str = "KP"
    goods: str  # the goods as the resolution text names them
    # all_goods: the provision is about the transaction, not the goods (ship-to-ship transfers)
    all_goods: bool = False
    hs_codes: list[HsCodeEntry] = []
    keywords: list[str] = []
    # A row matched by keywords is not matched when its description also names one of these
    # (e.g. a generic "minerals" rule that must leave "iron ore" to the specific rule).
    exclude_keywords: list[str] = []
    when: dict[str, Condition] = {}
    exceptions: list[RuleException] = []
    verdict: Literal["violation", "review"] = "violation"
    aggregate: Aggregate | None = None
    precedents: list[str] = []
    references: list[str] = []
    notes: str | None = None
    examples: Examples = Examples()
    # In an overlay directory: replace the earlier rule with this id.
    override: bool = False
    # Lint ids to silence for this rule (see `screener rules validate`).
    lint_ignore: list[str] = []

    _keywords = field_validator("keywords", "exclude_keywords")(_check_keywords)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not RULE_ID.match(value):
            raise ValueError(f"rule id {value!r}: use lower-case letters, digits, '.', '_', '-'")
        return value

    @field_validator("resolution")
    @classmethod
    def _resolution(cls, value: Any) -> str:
        if not str(value).isdigit():
            raise ValueError(f"resolution {value!r} must be the resolution number, e.g. '2321'")
        return str(value)

    @field_validator("paragraph", mode="before")
    @classmethod
    def _paragraph(cls, value: Any) -> str:
        text = str(value)
        if not text.isdigit():
            raise ValueError(f"paragraph {value!r} must be an operative paragraph number such "
                             "as '28' (put '(a)(iii)' in subparagraph)")
        return text

    @field_validator("subparagraph")
    @classmethod
    def _subparagraph(cls, value: str | None) -> str | None:
        if value is not None and not _SUBPARAGRAPH.match(value):
            raise ValueError(f"subparagraph {value!r} must look like '(a)(iii)'")
        return value

    @model_validator(mode="after")
    def _defaults(self) -> Rule:
        if self.in_force_from is None:
            self.in_force_from = self.adopted
        return self

    def semantic_problems(self) -> list[tuple[str, str]]:
        """(field, message) for every inconsistency between fields. The loader reports each
        at its key, all at once, and refuses the pack if there is any."""
        problems = []
        assert self.in_force_from is not None
        if self.in_force_from < self.adopted:
            problems.append(("in_force_from", f"in_force_from {self.in_force_from} is before "
                             f"the adoption date {self.adopted}"))
        if self.in_force_until is not None and self.in_force_until < self.in_force_from:
            problems.append(("in_force_until", f"in_force_until {self.in_force_until} is "
                             f"before in_force_from {self.in_force_from}"))
        if self.all_goods and (self.hs_codes or self.keywords):
            problems.append(("all_goods", "all_goods: true cannot be combined with hs_codes "
                             "or keywords"))
        if not self.all_goods and not self.hs_codes and not self.keywords:
            problems.append(("hs_codes", "the rule names no goods: give hs_codes or keywords "
                             "(or all_goods: true)"))
        if self.all_goods and not self.when:
            problems.append(("all_goods", "all_goods: true needs `when` conditions"))
        return problems

    @property
    def citation(self) -> str:
        return f"UNSCR {self.resolution} OP{self.paragraph}{self.subparagraph or ''}"


class RuleFile(_Strict):
    """A YAML rule file: its rules and, in an overlay directory, shipped rules to disable."""

    rules: list[Rule] = []
    disable: list[str] = []


class Direction(_Strict):
    description: str
    fields: list[str]


class PackManifest(_Strict):
    name: str
    version: str
    description: str = ""
    rules: list[str] = ["**/*.yaml"]
    cases: str | None = None
    countries: str = "tables/countries.yaml"
    units: str = "tables/units.yaml"
    conversions: str = "tables/conversions.yaml"
    directions: dict[str, Direction]
