"""The relevance pre-filter is an optimisation only: over generated records, results are
identical with and without it, for the shipped pack and for a pack with a rule on an unusual
field."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screener import Screener, load_rules

from .conftest import ROOT

UNUSUAL = """rules:
  - id: local-barter-sts
    title: Barter deals moved ship to ship at night (institution policy)
    resolution: "2375"
    paragraph: "11"
    adopted: 2017-09-11
    direction: to_or_from
    goods: any goods paid for in kind
    all_goods: true
    when:
      payment: {in: [barter, "barter for food"]}
      ship_to_ship: {equals: true}
      value_usd: {gt: 10000}
    verdict: review
"""


def _screeners(tmp_path_factory):
    overlay = tmp_path_factory.mktemp("unusual")
    (overlay / "u.yaml").write_text(UNUSUAL, encoding="utf-8")
    shipped = load_rules(ROOT / "rules")
    return {"shipped": (Screener(shipped), Screener(shipped)),
            "unusual": (Screener(load_rules(ROOT / "rules", overlay)),
                        Screener(load_rules(ROOT / "rules", overlay)))}


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    pairs = _screeners(tmp_path_factory)
    for _, unfiltered in pairs.values():
        # the same compiled pack with the pre-filter switched off: every row goes to the engine
        unfiltered.compiled.__dict__["column_gate"] = None
        object.__setattr__(unfiltered.compiled, "gate", None)
    return pairs


COUNTRIES = st.sampled_from(["KP", "CN", "RU", "KR", "VN", "North Korea", "PA"])
records = st.fixed_dictionaries({
    "id": st.just("R1"),
    "date": st.dates(date(2015, 1, 1), date(2024, 12, 31)).map(str),
    "exporter_country": COUNTRIES,
    "importer_country": COUNTRIES,
    "origin_country": st.sampled_from(["", "KP", "CN"]),
    "destination_country": st.sampled_from(["", "KP", "SG"]),
    "vessel_flag": st.sampled_from(["", "KP", "PA"]),
    "hs_code": st.sampled_from(["", "2603", "2701.12", "7108", "2709", "2710.19", "0303", "8703",
                                "1101", "2613", "9703.10", "6109", "2519.90", "8807.30"]),
    "description": st.sampled_from(["", "copper", "coal", "gold bars", "minerals", "diesel",
                                    "crude oil", "fish", "wheat flour", "jet fuel", "statue"]),
    "quantity": st.sampled_from(["", "10", "50000"]),
    "unit": st.sampled_from(["", "t", "bbl"]),
    "value_usd": st.sampled_from(["", "50", "20000", "3000000"]),
    "payment": st.sampled_from(["", "barter", "LC", "barter for food"]),
    "ship_to_ship": st.sampled_from(["", "true", "false"]),
    "notified_to_committee": st.sampled_from(["", "true", "false"]),
    "port_of_loading": st.sampled_from(["", "Rajin", "Nampo"]),
    "contract_date": st.sampled_from(["", "2017-07-01"]),
})


def _same(pair, record):
    filtered, unfiltered = pair
    a = filtered.screen([record]).results[0]
    b = unfiltered.screen([record]).results[0]
    assert a.model_dump_json() == b.model_dump_json()


@given(record=records)
def test_prefilter_changes_nothing_for_the_shipped_pack(pairs, record):
    _same(pairs["shipped"], record)


@given(record=records)
def test_prefilter_changes_nothing_with_a_rule_on_unusual_fields(pairs, record):
    _same(pairs["unusual"], record)


def test_the_prefilter_is_really_off_in_the_unfiltered_screener(pairs):
    filtered, unfiltered = pairs["shipped"]
    row = {"id": "x", "date": "2019-01-01", "exporter_country": "CN", "importer_country": "VN",
           "hs_code": "2603"}
    calls = []
    original = unfiltered.engine.fire
    unfiltered.engine.fire = lambda fact: calls.append(1) or original(fact)
    unfiltered.screen([row])
    assert calls, "the unfiltered screener must post every row to the engine"
    filtered_calls = []
    original_f = filtered.engine.fire
    filtered.engine.fire = lambda fact: filtered_calls.append(1) or original_f(fact)
    filtered.screen([row])
    assert not filtered_calls, "a row with no DPRK party must not reach the engine"
