"""The web app in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium,
installed by the Makefile when missing; no browser download)."""

from __future__ import annotations

import csv
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import sync_playwright

from screener.audit import AuditLog
from screener.web import WebSettings, create_app

from .conftest import EXAMPLES_CSV

CHROMIUM = os.environ.get("SCREENER_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(screener, tmp_path):
    settings = WebSettings(audit=AuditLog(tmp_path / "audit.sqlite"),
                           mappings_path=tmp_path / "mappings.json")
    port = _free_port()
    config = uvicorn.Config(create_app(screener, settings), host="127.0.0.1", port=port,
                            log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not instance.started and time.time() < deadline:
        time.sleep(0.05)
    assert instance.started, "the web app did not start"
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test` (it installs Debian's "
                    "chromium package) or set SCREENER_CHROMIUM")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=FLAGS)
        yield instance
        instance.close()


def test_officer_uploads_reviews_and_exports(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.goto(server + "/")
    page.set_input_files("#file", str(EXAMPLES_CSV))
    page.click("#check-button")
    assert page.inner_text("#pf-rows") == "40"
    assert page.inner_text("#pf-errors") == "2"
    page.click("#screen-button")
    page.wait_for_selector("#results-table")
    counts = {s: page.inner_text(f"#count-{s}") for s in ("violation", "review", "clear",
                                                            "error")}
    assert counts == {"violation": "19", "review": "6", "clear": "13", "error": "2"}
    shot = tmp_path / "results.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 30_000
    if os.environ.get("SCREENER_SCREENSHOT"):
        shutil.copy(shot, os.environ["SCREENER_SCREENSHOT"])
    results_url = page.url

    page.click("text=HYE-CU-1")
    page.wait_for_selector(".finding")
    assert "UNSCR 2321 OP28" in page.inner_text(".finding .citation")
    precedent = page.locator('[data-case="dailynk-2019-01-hyesan-concentrate"]')
    assert precedent.count() == 1
    assert "Hyesan Mine" in precedent.inner_text()

    page.goto(results_url)
    with page.expect_download() as info:
        page.click("#export-csv")
    download = info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with saved.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][-5:] == ["status", "rule_ids", "citations", "precedents", "errors"]
    assert len(rows) == 41
    assert {row[0]: row[-5] for row in rows[1:]}["HYE-CU-1"] == "violation"
