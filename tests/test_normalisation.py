"""Countries, HS codes, units, numbers and flags as officers write them."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import pytest

from screener.values import imo_checksum_ok, normalise_hs_code, normalise_imo

from .conftest import record

DPRK_SPELLINGS = ["KP", "PRK", "kp", "North Korea", "north korea", "DPRK", "D.P.R.K.",
                  "DPR Korea", "D.P.R. Korea", "Korea, Democratic People's Republic of",
                  "Democratic People's Republic of Korea", "  N. Korea  ", "Korea (North)"]
ROK_SPELLINGS = ["KR", "KOR", "South Korea", "Korea, Republic of", "Republic of Korea", "ROK",
                 "Korea (South)", "korea, rep."]


@pytest.mark.parametrize("spelling", DPRK_SPELLINGS)
def test_dprk_spellings_map_to_kp(pack, spelling):
    assert pack.tables.countries.resolve(spelling) == "KP"


@pytest.mark.parametrize("spelling", ROK_SPELLINGS)
def test_republic_of_korea_is_never_kp(pack, spelling):
    assert pack.tables.countries.resolve(spelling) == "KR"


@pytest.mark.parametrize("spelling", ROK_SPELLINGS)
def test_rok_copper_export_is_clear(screener, spelling):
    result = screener.screen([record(exporter_country=spelling)]).results[0]
    assert result.status == "clear"


def test_bare_korea_is_refused_as_ambiguous(screener):
    result = screener.screen([record(exporter_country="Korea")]).results[0]
    assert result.status == "error"
    assert "ambiguous" in result.errors[0].message
    assert result.errors[0].column == "exporter_country"


def test_every_country_in_the_un_dprk_list_resolves(pack, shared_data):
    tree = ET.parse(shared_data / "un_consolidated_DPRK_subset_2026-02-27.xml")
    names = {el.text.strip() for el in tree.iter("COUNTRY") if el.text}
    names |= {v.text.strip() for n in tree.iter("NATIONALITY") for v in n.iter("VALUE")
              if v.text}
    assert "Democratic People's Republic of Korea" in names
    resolved = {name: pack.tables.countries.resolve(name) for name in names}
    assert resolved["Democratic People's Republic of Korea"] == "KP"
    assert resolved["Viet Nam"] == "VN"


def test_every_flag_in_the_vessel_list_resolves_and_imos_check(pack, shared_data):
    with (shared_data / "ofac_sdn_dprk_vessels_2021-07.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    flags = {row["flag"] for row in rows if row["flag"]}
    for flag in flags:
        pack.tables.countries.resolve(flag)
    imos = [row["imo"] for row in rows if row["imo"]]
    assert len(imos) >= 100
    assert all(imo_checksum_ok(normalise_imo(imo)) for imo in imos)


@pytest.mark.parametrize(("written", "digits"), [
    ("2603.00", "260300"), ("2603 00", "260300"), ("260300", "260300"), ("26.08", "2608"),
    ("7108.12.00", "71081200"), (" 2701.11 ", "270111"), ("2603-00", "260300"), (7108, "7108")])
def test_hs_code_forms(written, digits):
    assert normalise_hs_code(written) == digits


@pytest.mark.parametrize("bad", ["26O3", "abc", "2", "301", "2603.0x", "1234567890123"])
def test_bad_hs_codes_are_refused(bad):
    with pytest.raises(ValueError):
        normalise_hs_code(bad)


@pytest.mark.parametrize("written", ["2603.00", "2603 00", "260300", "2603"])
def test_every_hs_form_screens_the_same(screener, written):
    result = screener.screen([record(hs_code=written)]).results[0]
    assert [f.rule_id for f in result.findings] == ["2321-op28-copper-nickel-silver-zinc"]


@pytest.mark.parametrize(("written", "unit"), [
    ("t", "t"), ("MT", "t"), ("tonnes", "t"), ("Kgs", "kg"), ("barrels", "bbl"),
    ("BBL", "bbl"), ("litres", "l"), ("CBM", "m3"), ("pieces", "pcs")])
def test_units_normalise(screener, written, unit):
    tx_result = screener.screen([record(quantity="10", unit=written)]).results[0]
    assert tx_result.status == "violation"
    assert not tx_result.warnings
    assert screener.pack.tables.units.resolve(written) == unit


def test_unknown_unit_is_kept_with_a_warning(screener):
    result = screener.screen([record(quantity="3", unit="bags")]).results[0]
    assert result.status == "violation"
    assert "'bags' is not a known unit" in result.warnings[0]


def test_hs_prefixes_in_rules_and_cases_exist_in_hs_2022(pack, shared_data):
    with (shared_data / "hs2022_harmonized-system.csv").open(encoding="utf-8") as handle:
        known = {row["hscode"] for row in csv.DictReader(handle)}
    listed = [(rule.id, h) for rule in pack.rules for h in rule.hs_codes]
    listed += [(rule.id, h) for rule in pack.rules for e in rule.exceptions for h in e.hs_codes]
    listed += [(case.id, h) for case in pack.cases.values() for g in case.goods
               for h in g.hs_codes]
    codes = {(owner, h.code) for owner, h in listed if h.edition is None}
    assert len(codes) > 50
    missing = sorted((owner, code) for owner, code in codes if code not in known)
    assert not missing, f"HS prefixes not in HS 2022: {missing}"


def test_header_names_are_case_and_space_insensitive(screener, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(" ID ,Date,Exporter Country,IMPORTER_COUNTRY,hs_code\n"
                    "a,2019-01-14,KP,CN,2603\n", encoding="utf-8")
    result = screener.screen(path).results[0]
    assert result.status == "violation"
