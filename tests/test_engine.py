"""durable_rules and the Python reading of the same conditions agree, and the pre-filter
never hides a row that a rule matches."""

from __future__ import annotations

import itertools

from screener.facts import build_fact

from .conftest import record

COUNTRIES = ["KP", "CN", "KR", "RU"]
GOODS = [{"hs_code": "2603"}, {"hs_code": "2701.12"}, {"hs_code": "7108"},
         {"hs_code": "2613"}, {"hs_code": None, "description": "zinc concentrate"},
         {"hs_code": None, "description": "minerals"}, {"hs_code": None, "description": "flour"},
         {"hs_code": "2601"}]
DATES = ["2015-01-01", "2016-06-01", "2017-03-01", "2017-08-20", "2020-01-01"]


def generated_records():
    combos = itertools.product(COUNTRIES, COUNTRIES, [None, "KP", "RU"], GOODS, DATES)
    for index, (exp, imp, origin, goods, date) in enumerate(combos):
        yield record(id=f"g{index}", date=date, exporter_country=exp, importer_country=imp,
                     origin_country=origin, port_of_loading="Rajin",
                     notified_to_committee="true", **goods)


def test_engine_matches_python_evaluation_and_prefilter_is_safe(screener, pack):
    compiled = screener.compiled
    labels = compiled.labelled()
    checked = fired_any = 0
    for raw in generated_records():
        result = screener.screen([raw]).results[0]
        assert result.status != "error", result.errors
        from screener.transaction import Transaction
        tx = Transaction.model_validate(raw, context={"tables": pack.tables})
        fact = build_fact(tx, f"check{checked}", compiled.keywords)
        expected = [label for label, node in labels if node.test(fact)]
        assert screener.engine.fire(fact) == expected, raw
        if expected:
            fired_any += 1
            assert compiled.is_relevant(fact), raw
        checked += 1
    assert checked > 1000 and fired_any > 100


def test_matched_values_come_from_the_record(screener):
    result = screener.screen([record(exporter_country="CN", origin_country="DPRK",
                                     hs_code="2603.00")]).results[0]
    finding = result.findings[0]
    assert finding.matched == {"origin_country": "KP", "hs_code": "260300",
                               "date": "2019-01-14"}
    assert "origin_country is KP" in finding.explanation


def test_fast_constructed_rows_equal_validated_ones(screener, example_report):
    """The hot path builds Transaction and Result without pydantic validation; the objects
    must be exactly what validation would have built."""
    from screener import Result, Transaction
    from screener.transaction import build_transaction
    for result in example_report.results:
        validated = Result.model_validate(result.model_dump())
        assert validated == result
        assert validated.model_dump_json() == result.model_dump_json()
    tx, problems = build_transaction(record(origin_country="DPRK", quantity="1,000.5",
                                            unit="MT", ship_to_ship="yes"),
                                     screener.pack.tables)
    assert not problems
    validated = Transaction.model_validate(tx.model_dump(), context={"tables":
                                                                     screener.pack.tables})
    assert validated == tx and validated.model_fields_set <= tx.model_fields_set | {"id"}
