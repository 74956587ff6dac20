"""A provision applies from its adoption date; a superseded one stops the day before."""

from __future__ import annotations

import pytest

from .conftest import record, rule_ids


@pytest.mark.parametrize(("date", "expected"), [
    ("2016-11-29", []),                                       # before 2321 adoption
    ("2016-11-30", ["2321-op28-copper-nickel-silver-zinc"]),  # adoption day
    ("2025-01-01", ["2321-op28-copper-nickel-silver-zinc"]),
])
def test_copper_ban_starts_on_adoption_day(screener, date, expected):
    assert rule_ids(screener.screen([record(date=date)]).results[0]) == expected


@pytest.mark.parametrize(("date", "expected"), [
    ("2016-03-01", []),
    ("2016-03-02", ["2270-op29-coal-iron-iron-ore"]),
    ("2016-11-29", ["2270-op29-coal-iron-iron-ore"]),
    ("2016-11-30", ["2321-op26-coal-cap"]),
    ("2017-08-04", ["2321-op26-coal-cap"]),
    ("2017-08-05", ["2371-op8-coal-iron-iron-ore"]),
    ("2023-05-01", ["2371-op8-coal-iron-iron-ore"]),
])
def test_coal_regime_follows_the_resolutions_in_time(screener, date, expected):
    result = screener.screen([record(date=date, hs_code="2701.12")]).results[0]
    assert rule_ids(result) == expected


def test_coal_under_the_2321_cap_is_a_review_not_a_violation(screener):
    result = screener.screen([record(date="2017-03-01", hs_code="2701")]).results[0]
    assert result.status == "review"


@pytest.mark.parametrize(("date", "contract_date", "status"), [
    ("2017-09-04", "2017-07-01", "review"),     # prior contract, inside the 30 days
    ("2017-09-05", "2017-07-01", "violation"),  # prior contract, too late
    ("2017-09-04", "2017-08-05", "violation"),  # contract signed on adoption day
    ("2017-09-04", None, "violation"),          # no contract date given
])
def test_2371_prior_contract_window(screener, date, contract_date, status):
    result = screener.screen([record(date=date, hs_code="2701",
                                     contract_date=contract_date)]).results[0]
    assert result.status == status
    if status == "review":
        assert any("prior-contracts" in c for c in result.findings[0].caveats)


def test_rajin_transit_claim_needs_every_condition(screener):
    claim = dict(date="2018-03-01", hs_code="2701", origin_country="RU",
                 port_of_loading="Rajin", notified_to_committee="true")
    assert screener.screen([record(**claim)]).results[0].status == "review"
    for missing in ({"notified_to_committee": "false"}, {"origin_country": "KP"},
                    {"port_of_loading": "Nampo"}, {"origin_country": None}):
        result = screener.screen([record(**{**claim, **missing})]).results[0]
        assert result.status == "violation", missing


def test_rajin_exception_does_not_cover_iron_ore(screener):
    result = screener.screen([record(date="2018-03-01", hs_code="2601", origin_country="RU",
                                     port_of_loading="Rajin",
                                     notified_to_committee="true")]).results[0]
    assert result.status == "violation"
