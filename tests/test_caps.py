"""2397 caps that add up: running totals across rows and uploads, in date order, with a
ledger that never double counts and never half-writes."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from screener import Screener
from screener.caps import period_key
from screener.cli import main
from screener.ledger import Ledger
from screener.rule_model import Aggregate

OP5 = "2397-op5-refined-petroleum"
OP4 = "2397-op4-crude-oil"


def delivery(id, date, quantity, unit="bbl", description="diesel", notified="true", **extra):
    return {"id": id, "date": date, "exporter_country": "RU", "importer_country": "KP",
            "hs_code": "2710.19", "description": description, "quantity": str(quantity),
            "unit": unit, "notified_to_committee": notified, **extra}


def op5(result):
    return next((f for f in result.findings if f.rule_id == OP5), None)


SERIES = [delivery("D1", "2019-01-10", 200_000), delivery("D2", "2019-03-10", 200_000),
          delivery("D3", "2019-05-10", 90_000), delivery("D4", "2019-07-10", 50_000),
          delivery("D5", "2019-09-10", 10_000)]


def test_cap_crossed_in_the_middle_of_a_file(screener):
    results = screener.screen(SERIES).results
    assert [r.status for r in results] == ["clear", "review", "review", "violation",
                                           "violation"]
    assert op5(results[1]).cap.alert == 0.75
    first = results[0]
    assert first.exemptions and "Within the cap" in first.exemptions[0].description
    alert = op5(results[2])
    assert alert.cap.alert == 0.95 and alert.cap.before == 400_000
    assert alert.cap.after == 490_000 and not alert.cap.exceeded
    crossing = op5(results[3])
    assert crossing.verdict == "violation" and crossing.cap.exceeded
    assert (crossing.cap.before, crossing.cap.after, crossing.cap.cap) == (490_000, 540_000,
                                                                            500_000)
    assert [d.id for d in crossing.cap.earlier] == ["D1", "D2", "D3"]
    assert "Cap exceeded" in crossing.explanation and "490,000 + 50,000 = 540,000" in \
        crossing.explanation


def test_alert_thresholds(screener):
    rows = [delivery("A", "2019-01-01", 374_999), delivery("B", "2019-01-02", 1),
            delivery("C", "2019-01-03", 75_000), delivery("D", "2019-01-04", 25_000)]
    results = screener.screen(rows).results
    assert [r.status for r in results] == ["clear", "review", "review", "review"]
    assert [op5(r).cap.alert for r in results[1:]] == [0.75, 0.9, 0.95]


def test_rows_out_of_order_are_added_in_date_order(screener):
    shuffled = [SERIES[4], SERIES[2], SERIES[0], SERIES[3], SERIES[1]]
    results = {r.id: r for r in screener.screen(shuffled).results}
    ordered = {r.id: r for r in screener.screen(SERIES).results}
    assert {k: r.status for k, r in results.items()} == {k: r.status
                                                         for k, r in ordered.items()}
    assert [r.id for r in screener.screen(shuffled).results] == ["D5", "D3", "D1", "D4", "D2"]
    assert op5(results["D4"]).cap.before == 490_000


def test_a_new_year_counts_from_zero(screener):
    rows = [delivery("Y1", "2019-12-01", 480_000), delivery("Y2", "2019-12-20", 30_000),
            delivery("Y3", "2020-01-02", 30_000)]
    results = screener.screen(rows).results
    assert [r.status for r in results] == ["review", "violation", "clear"]
    assert results[2].exemptions and "2020" in results[2].exemptions[0].description


def test_mixed_units_convert_to_barrels(screener, pack):
    rows = [delivery("T", "2019-02-01", 10_000, "t"),            # diesel, 7.46 bbl/t
            delivery("K", "2019-02-02", 1_000_000, "kg"),        # 1,000 t diesel
            delivery("L", "2019-02-03", 1_589_873, "litres"),    # 10,000 bbl
            delivery("M", "2019-02-04", 158.987294928, "m3"),    # 1,000 bbl
            delivery("G", "2019-02-05", 1_000, "t", description="gasoline")]
    results = screener.screen(rows).results
    assert all(r.status == "clear" and r.exemptions for r in results)  # within the cap
    with_big = screener.screen([*rows, delivery("BIG", "2019-02-06", 400_000)]).results
    big = op5(with_big[-1])
    expected = 74_600 + 7_460 + 10_000 + 1_000 + 8_530
    assert big.cap.before == pytest.approx(expected, rel=1e-6)
    factors = {p.id: p.bbl_per_tonne for p in pack.tables.conversions.table.products}
    assert factors["gas_oil_diesel"] == 7.46 and factors["crude_oil"] == pytest.approx(
        4_000_000 / 525_000)


def test_unconvertible_rows_are_reviews_never_zero(screener):
    rows = [delivery("U1", "2019-02-01", 100, "t", description="refined oil products"),
            delivery("U2", "2019-02-02", 3, "containers"),
            {**delivery("U3", "2019-02-03", 1), "quantity": ""}]
    results = screener.screen(rows).results
    assert [r.status for r in results] == ["review", "review", "review"]
    caveats = [" ".join(op5(r).caveats) for r in results]
    assert "product is not identified" in caveats[0]
    assert "unit is 'containers'" in caveats[1]
    assert "quantity is missing" in caveats[2]


def test_unnotified_delivery_is_a_violation_even_within_the_cap(screener):
    result = screener.screen([delivery("N", "2019-02-01", 10, notified="false")]).results[0]
    assert result.status == "violation"
    assert op5(result).cap.after == 10


def test_crude_oil_cap_in_tonnes_uses_the_resolutions_ratio(screener):
    crude = {"exporter_country": "CN", "importer_country": "KP", "hs_code": "2709.00",
             "description": "crude oil", "notified_to_committee": "true"}
    rows = [{**crude, "id": "C1", "date": "2018-01-10", "quantity": "500000", "unit": "t"},
            {**crude, "id": "C2", "date": "2018-06-10", "quantity": "30000", "unit": "t"},
            {**crude, "id": "C3", "date": "2018-12-22", "quantity": "30000", "unit": "t"}]
    results = screener.screen(rows).results
    # 525,000 t is the cap: 530,000 t crosses it; a new 12-month period starts 2018-12-22
    assert [r.status for r in results] == ["review", "violation", "clear"]
    over = next(f for f in results[1].findings if f.rule_id == OP4)
    assert over.cap.after == pytest.approx(530_000 * 4_000_000 / 525_000)
    assert over.cap.period == "2017-12-22..2018-12-21"


def test_period_keys():
    rolling = Aggregate(period={"rolling_12_months_from": date(2017, 12, 22)}, cap=1)
    assert period_key(rolling, date(2017, 12, 21)) is None
    assert period_key(rolling, date(2018, 12, 21)) == "2017-12-22..2018-12-21"
    assert period_key(rolling, date(2018, 12, 22)) == "2018-12-22..2019-12-21"
    yearly = Aggregate(period="calendar_year", starts=date(2018, 1, 1), cap=1)
    assert period_key(yearly, date(2017, 12, 31)) is None
    assert period_key(yearly, date(2019, 6, 1)) == "2019"


def test_the_series_split_over_two_uploads_gives_the_same_verdicts(screener, tmp_path):
    ledger = Ledger(tmp_path / "caps.sqlite")
    first = screener.screen(SERIES[:3], ledger=ledger)
    second = screener.screen(SERIES[3:], ledger=ledger)
    assert first.ledger.recorded == 3 and second.ledger.recorded == 2
    together = [r.status for r in screener.screen(SERIES).results]
    assert [r.status for r in first.results + second.results] == together
    crossing = op5(second.results[0])
    assert crossing.cap.before == 490_000
    assert [(d.id, d.source) for d in crossing.cap.earlier] == [
        ("D1", "ledger"), ("D2", "ledger"), ("D3", "ledger")]


def test_uploading_the_same_file_twice_does_not_count_twice(screener, tmp_path):
    ledger = Ledger(tmp_path / "caps.sqlite")
    once = screener.screen(SERIES, ledger=ledger)
    twice = screener.screen(SERIES, ledger=ledger)
    assert [r.status for r in once.results] == [r.status for r in twice.results]
    assert ledger.count() == 5
    assert sum(t.barrels for t in ledger.totals("2019")) == 550_000
    # one id again, corrected: it replaces its record instead of adding to it
    screener.screen([delivery("D5", "2019-09-10", 20_000)], ledger=ledger)
    assert sum(t.barrels for t in ledger.totals("2019")) == 560_000


def test_a_crash_between_rows_leaves_the_ledger_as_it_was(screener, tmp_path, monkeypatch):
    ledger = Ledger(tmp_path / "caps.sqlite")
    screener.screen(SERIES[:2], ledger=ledger)
    before = ledger.totals()
    original = screener._evaluate
    calls = {"n": 0}

    def crash_on_third_row(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("injected crash")
        return original(*args, **kwargs)

    monkeypatch.setattr(screener, "_evaluate", crash_on_third_row)
    with pytest.raises(RuntimeError):
        screener.screen(SERIES[2:], ledger=ledger)
    assert ledger.totals() == before
    monkeypatch.undo()


def test_a_crash_inside_the_ledger_write_rolls_back(screener, tmp_path, monkeypatch):
    ledger = Ledger(tmp_path / "caps.sqlite")
    screener.screen(SERIES[:2], ledger=ledger)
    seen = {"n": 0}

    class Exploding(list):
        def __iter__(self):
            for item in super().__iter__():
                seen["n"] += 1
                if seen["n"] == 2:
                    raise sqlite3.OperationalError("disk I/O error (injected)")
                yield item

    record = ledger.record
    monkeypatch.setattr(ledger, "record", lambda deliveries: record(Exploding(deliveries)))
    with pytest.raises(sqlite3.OperationalError):
        screener.screen(SERIES[2:], ledger=ledger)
    assert ledger.count() == 2


def test_cli_ledger_across_two_uploads_show_and_reset(tmp_path, capsys, monkeypatch):
    path = tmp_path / "l.sqlite"
    header = ("id,date,exporter_country,importer_country,hs_code,description,quantity,unit,"
              "notified_to_committee\n")
    (tmp_path / "jan.csv").write_text(header + "J1,2019-01-05,RU,KP,2710.19,diesel,60000,t,"
                                      "true\n", encoding="utf-8")
    (tmp_path / "feb.csv").write_text(header + "F1,2019-02-05,RU,KP,2710.19,diesel,10000,t,"
                                      "true\n", encoding="utf-8")
    assert main(["screen", str(tmp_path / "jan.csv"), "--ledger", str(path), "--format",
                 "json", "-o", str(tmp_path / "jan.json")]) == 0
    assert main(["screen", str(tmp_path / "feb.csv"), "--ledger", str(path), "--format",
                 "json", "-o", str(tmp_path / "feb.json")]) == 0
    feb = json.loads((tmp_path / "feb.json").read_text())
    finding = feb["results"][0]["findings"][0]
    assert feb["results"][0]["status"] == "violation"
    assert finding["cap"]["before"] == pytest.approx(447_600)
    assert finding["cap"]["after"] == pytest.approx(522_200)
    capsys.readouterr()
    assert main(["ledger", "show", "--ledger", str(path), "--year", "2019"]) == 0
    out = capsys.readouterr().out
    assert "gas_oil_diesel" in out and "522,200" in out
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    assert main(["ledger", "reset", "--ledger", str(path)]) == 1
    assert Ledger(path).count() == 2
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    assert main(["ledger", "reset", "--ledger", str(path)]) == 0
    assert Ledger(path).count() == 0


def test_no_ledger_records_nothing(tmp_path, monkeypatch):
    path = tmp_path / "default.sqlite"
    monkeypatch.setenv("SCREENER_LEDGER", str(path))
    src = tmp_path / "x.csv"
    src.write_text("id,date,exporter_country,importer_country,hs_code,description,quantity,"
                   "unit,notified_to_committee\nA,2019-01-05,RU,KP,2710.19,diesel,10,t,true\n",
                   encoding="utf-8")
    assert main(["screen", str(src), "--no-ledger", "-o", str(tmp_path / "o.txt")]) == 0
    assert not path.exists()
    assert main(["screen", str(src), "-o", str(tmp_path / "o.txt")]) == 0
    assert Ledger(path).count() == 1


def test_screener_default_pack_has_both_caps():
    pack = Screener.default().pack
    caps = {r.id: r.aggregate.cap for r in pack.rules if r.aggregate}
    assert caps == {OP4: 4_000_000, OP5: 500_000}
