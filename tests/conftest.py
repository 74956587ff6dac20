from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from screener import Screener, load_rules

# Property tests: 2,000 examples in `make test`; `pytest --hypothesis-profile=long` runs 20,000.
_HYPOTHESIS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow,
                                                           HealthCheck.data_too_large]}
settings.register_profile("ci", max_examples=2000, **_HYPOTHESIS)
settings.register_profile("long", max_examples=20000, **_HYPOTHESIS)


def pytest_configure(config):
    if not config.getoption("hypothesis_profile", None):
        settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_CSV = ROOT / "cases" / "examples" / "transactions.csv"
SHARED_DATA = Path(os.environ.get("SCREENER_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data():
    """../shared/data (reference data beside the checkout; never copied into the repo)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data not found at {SHARED_DATA} (set SCREENER_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _private_ledger(tmp_path, monkeypatch):
    """The CLI's default cap ledger and audit log live in the user's data directory: tests
    never touch them."""
    monkeypatch.setenv("SCREENER_LEDGER", str(tmp_path / "ledger.sqlite"))
    monkeypatch.setenv("SCREENER_AUDIT", str(tmp_path / "audit.sqlite"))


@pytest.fixture(scope="session")
def pack():
    return load_rules(ROOT / "rules")


@pytest.fixture(scope="session")
def screener(pack):
    return Screener(pack)


@pytest.fixture(scope="session")
def example_report(screener):
    return screener.screen(EXAMPLES_CSV)


@pytest.fixture(scope="session")
def example_rows():
    with EXAMPLES_CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def record(**fields):
    """A valid KP export record, with any field overridden."""
    base = {"id": "t1", "date": "2019-01-14", "exporter_country": "KP",
            "importer_country": "CN", "hs_code": "2603.00"}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def rule_ids(result):
    return [f.rule_id for f in result.findings]
