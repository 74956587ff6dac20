"""Table-driven checks per resolution: records on each side of every date, exception and HS
boundary, with the exact set of provisions expected to fire."""

from __future__ import annotations

import pytest

from .conftest import record

EXPORT = {"exporter_country": "KP", "importer_country": "CN"}
SUPPLY = {"exporter_country": "CN", "importer_country": "KP"}


def case(name, fields, rules, status=None):
    return pytest.param(fields, set(rules), status, id=name)


R2270 = [
    case("coal day before adoption", {**EXPORT, "date": "2016-03-01", "hs_code": "2701"}, []),
    case("coal on adoption", {**EXPORT, "date": "2016-03-02", "hs_code": "2701"},
         ["2270-op29-coal-iron-iron-ore"], "violation"),
    case("rajin transit claimed", {**EXPORT, "date": "2016-06-01", "hs_code": "2701",
                                   "origin_country": "RU", "port_of_loading": "Rason",
                                   "notified_to_committee": "yes"},
         ["2270-op29-coal-iron-iron-ore"], "review"),
    case("iron ore via origin", {"exporter_country": "CN", "origin_country": "KP",
                                 "importer_country": "VN", "date": "2016-06-01",
                                 "hs_code": "2601.11"}, ["2270-op29-coal-iron-iron-ore"]),
    case("titanium ore", {**EXPORT, "date": "2016-06-01", "hs_code": "2614"},
         ["2270-op30-gold-titanium-vanadium-rare-earths"], "violation"),
    case("molybdenum is clean", {**EXPORT, "date": "2019-06-01", "hs_code": "2613.10"}, []),
    case("tungsten is clean", {**EXPORT, "date": "2019-06-01", "hs_code": "2611.00"}, []),
    case("jet fuel before adoption", {**SUPPLY, "date": "2016-03-01", "hs_code": None,
                                      "description": "jet fuel"}, []),
    case("jet fuel", {**SUPPLY, "date": "2016-03-02", "hs_code": None,
                      "description": "kerosene-type jet fuel"},
         ["2270-op31-aviation-fuel"], "violation"),
    case("bare 271019 without description", {**SUPPLY, "date": "2016-06-01",
                                             "hs_code": "2710.19"},
         ["2270-op31-aviation-fuel"], "review"),
]

R2321 = [
    case("copper day before", {**EXPORT, "date": "2016-11-29", "hs_code": "2603"}, []),
    case("nickel on adoption", {**EXPORT, "date": "2016-11-30", "hs_code": "2604"},
         ["2321-op28-copper-nickel-silver-zinc"]),
    case("coal under the cap", {**EXPORT, "date": "2017-01-10", "hs_code": "2701"},
         ["2321-op26-coal-cap"], "review"),
    case("iron ore livelihood regime", {**EXPORT, "date": "2017-01-10", "hs_code": "2601"},
         ["2321-op26-iron-iron-ore"], "violation"),
    case("statue", {**EXPORT, "date": "2017-01-10", "hs_code": "9703.10"},
         ["2321-op29-statues"]),
    case("helicopter supplied", {**SUPPLY, "date": "2017-01-10", "hs_code": "8802.11"},
         ["2321-op30-helicopters-vessels"]),
    case("helicopter after 2397", {**SUPPLY, "date": "2018-01-10", "hs_code": "8802.11"},
         ["2321-op30-helicopters-vessels", "2397-op7-transport-vehicles"]),
]

R2371 = [
    case("coal day before", {**EXPORT, "date": "2017-08-04", "hs_code": "2701"},
         ["2321-op26-coal-cap"], "review"),
    case("coal on adoption", {**EXPORT, "date": "2017-08-05", "hs_code": "2701"},
         ["2371-op8-coal-iron-iron-ore"], "violation"),
    case("lead ore", {**EXPORT, "date": "2017-08-05", "hs_code": "2607"},
         ["2371-op10-lead"], "violation"),
    case("lead day before", {**EXPORT, "date": "2017-08-04", "hs_code": "2607"}, []),
    case("seafood", {**EXPORT, "date": "2018-01-01", "hs_code": "0303.54"},
         ["2371-op9-seafood"]),
    case("seafood prepared", {**EXPORT, "date": "2018-01-01", "hs_code": "1604.15"},
         ["2371-op9-seafood"]),
    case("seafood supplied to KP is clean", {**SUPPLY, "date": "2018-01-01",
                                              "hs_code": "0303.54"}, []),
    case("unidentified minerals", {**EXPORT, "date": "2018-01-01", "hs_code": None,
                                   "description": "mineral ore"},
         ["2371-op8-unidentified-minerals"], "review"),
]

R2375 = [
    case("textiles day before", {**EXPORT, "date": "2017-09-10", "hs_code": "6109.10"}, []),
    case("textiles on adoption", {**EXPORT, "date": "2017-09-11", "hs_code": "6109.10"},
         ["2375-op16-textiles"], "violation"),
    case("textile prior contract in window", {**EXPORT, "date": "2017-12-10",
                                              "contract_date": "2017-09-01",
                                              "hs_code": "6109.10"},
         ["2375-op16-textiles"], "review"),
    case("textile prior contract too late", {**EXPORT, "date": "2017-12-11",
                                             "contract_date": "2017-09-01",
                                             "hs_code": "6109.10"},
         ["2375-op16-textiles"], "violation"),
    case("refined petroleum unnotified", {**SUPPLY, "date": "2017-10-01", "hs_code": "2710.19",
                                          "description": "gas oil"},
         ["2375-op14-refined-petroleum"], "violation"),
    case("refined petroleum notified", {**SUPPLY, "date": "2017-10-01", "hs_code": "2710.19",
                                        "description": "gas oil",
                                        "notified_to_committee": "true"},
         ["2375-op14-refined-petroleum"], "review"),
    # bare 2709 may be condensate (banned outright): a second review
    case("crude oil 2375", {**SUPPLY, "date": "2017-10-01", "hs_code": "2709"},
         ["2375-op15-crude-oil", "2375-op13-condensates-ngl"], "review"),
    case("crude oil 2375 described", {**SUPPLY, "date": "2017-10-01", "hs_code": "2709",
                                      "description": "Russian crude oil"},
         ["2375-op15-crude-oil"], "review"),
    case("condensate", {**SUPPLY, "date": "2017-10-01", "hs_code": "2709",
                        "description": "condensate"},
         ["2375-op13-condensates-ngl", "2375-op15-crude-oil"], "violation"),
    case("sts with DPRK flag", {"exporter_country": "CN", "importer_country": "SG",
                                "date": "2018-05-01", "hs_code": "2710.19",
                                "description": "fuel oil", "vessel_flag": "KP",
                                "ship_to_ship": "true"}, ["2375-op11-ship-to-ship"]),
    case("sts day before", {"exporter_country": "CN", "importer_country": "SG",
                            "date": "2017-09-10", "hs_code": "2710.19",
                            "description": "fuel oil", "vessel_flag": "KP",
                            "ship_to_ship": "true"}, []),
]

R2397 = [
    case("refined petroleum moves to 2397", {**SUPPLY, "date": "2017-12-22",
                                             "hs_code": "2710.12", "description": "gasoline"},
         ["2397-op5-refined-petroleum"], "violation"),
    case("crude oil not reported", {**SUPPLY, "date": "2017-12-22", "hs_code": "2709",
                                    "description": "crude oil"},
         ["2397-op4-crude-oil"], "violation"),
    case("crude oil reported, no quantity", {**SUPPLY, "date": "2017-12-22", "hs_code": "2709",
                                             "description": "crude oil",
                                             "notified_to_committee": "yes"},
         ["2397-op4-crude-oil"], "review"),
    case("crude oil reported within the cap", {**SUPPLY, "date": "2018-03-01",
                                               "hs_code": "2709", "description": "crude oil",
                                               "notified_to_committee": "yes",
                                               "quantity": "100000", "unit": "bbl"},
         [], "clear"),
    case("magnesia day before", {**EXPORT, "date": "2017-12-21", "hs_code": "2519.90"}, []),
    case("magnesia on adoption", {**EXPORT, "date": "2017-12-22", "hs_code": "2519.90"},
         ["2397-op6-earth-stone"]),
    case("vegetables", {**EXPORT, "date": "2018-01-01", "hs_code": "0709.59"},
         ["2397-op6-food-agriculture"]),
    case("cereals are not listed", {**EXPORT, "date": "2018-01-01", "hs_code": "1005.90"}, []),
    case("maize supplied to KP", {**SUPPLY, "date": "2018-01-01", "hs_code": "1005.90"}, []),
    case("fertiliser supplied to KP", {**SUPPLY, "date": "2018-01-01", "hs_code": "3102.30"},
         []),
    case("flour sugar supplied", {**SUPPLY, "date": "2018-01-01", "hs_code": None,
                                  "description": "wheat flour and sugar"}, []),
    case("steel supplied", {**SUPPLY, "date": "2018-01-01", "hs_code": "7208.10"},
         ["2397-op7-metals"]),
    case("steel via destination", {"exporter_country": "CN", "importer_country": "RU",
                                   "destination_country": "KP", "date": "2018-01-01",
                                   "hs_code": "7208.10"}, ["2397-op7-metals"]),
    case("aircraft part exception", {**SUPPLY, "date": "2018-01-01", "hs_code": "8807.30"},
         ["2397-op7-transport-vehicles"], "review"),
    case("truck supplied", {**SUPPLY, "date": "2018-01-01", "hs_code": "8704.22"},
         ["2397-op7-transport-vehicles"], "violation"),
    case("machinery exported", {**EXPORT, "date": "2018-01-01", "hs_code": "8413.70"},
         ["2397-op6-machinery-electrical"]),
]

R1718 = [
    case("diamonds before 2094 annex", {**SUPPLY, "date": "2013-03-06", "hs_code": "7102.39"},
         []),
    case("diamonds", {**SUPPLY, "date": "2013-03-07", "hs_code": "7102.39"},
         ["1718-op8-luxury-jewellery-gems"], "review"),
    case("rug over threshold", {**SUPPLY, "date": "2017-01-01", "hs_code": "5701.10",
                                "value_usd": "501"}, ["1718-op8-luxury-rugs"], "review"),
    case("rug at threshold", {**SUPPLY, "date": "2017-01-01", "hs_code": "5701.10",
                              "value_usd": "500"}, []),
]


@pytest.mark.parametrize(("fields", "rules", "status"),
                         R2270 + R2321 + R2371 + R2375 + R2397 + R1718)
def test_provisions(screener, fields, rules, status):
    result = screener.screen([record(**fields)]).results[0]
    assert result.status != "error", result.errors
    assert {f.rule_id for f in result.findings} == rules
    if status:
        assert result.status == status
    elif not rules:
        assert result.status == "clear"


def test_every_rule_fires_somewhere_and_stays_silent_elsewhere(screener, pack):
    fired_in, silent_in = set(), set()
    for rule in pack.rules:
        for example in rule.examples.match + rule.examples.no_match:
            found = {f.rule_id for f in screener.screen([example.record]).results[0].findings}
            fired_in |= found
            silent_in |= {r.id for r in pack.rules} - found
    assert fired_in == {r.id for r in pack.rules}
    assert silent_in == {r.id for r in pack.rules}
