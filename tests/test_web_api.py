"""The web app through FastAPI's test client: pages, exports, JSON API and safety."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from screener import Report
from screener.audit import AuditLog
from screener.web import WebSettings, create_app

from .conftest import EXAMPLES_CSV


@pytest.fixture
def client(screener, tmp_path):
    settings = WebSettings(max_upload_bytes=200_000, audit=AuditLog(tmp_path / "a.sqlite"),
                           mappings_path=tmp_path / "mappings.json")
    return TestClient(create_app(screener, settings))


def upload(client, data: bytes, name="t.csv", **fields):
    response = client.post("/upload", files={"file": (name, data, "text/csv")}, data=fields,
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"].split("/")[2]


def screened(client, data: bytes, **fields) -> str:
    token = upload(client, data, **fields)
    response = client.post(f"/uploads/{token}/screen", follow_redirects=False)
    assert response.status_code == 303
    return token


def test_upload_check_screen_and_results(client):
    token = upload(client, EXAMPLES_CSV.read_bytes())
    check = client.get(f"/uploads/{token}/check").text
    assert re.search(r'id="pf-rows">40<', check) and re.search(r'id="pf-errors">2<', check)
    assert "row 21, column &#39;date&#39;" in check
    client.post(f"/uploads/{token}/screen")
    page = client.get(f"/results/{token}").text
    counts = dict(re.findall(r'id="count-(\w+)">(\d+)', page))
    assert counts == {"violation": "19", "review": "6", "clear": "13", "error": "2"}
    assert "UNSCR 2321: " in page
    only = client.get(f"/results/{token}?status=review").text
    assert only.count('class="review" data-row') == 6
    by_rule = client.get(f"/results/{token}?rule=2371-op9-seafood").text
    assert "SEA-POST-1" in by_rule and "HYE-CU-1" not in by_rule
    desc = client.get(f"/results/{token}?sort=id&order=desc").text
    assert desc.index("TEX-PRE-1") < desc.index("AVGAS-1")


def test_row_detail_shows_citation_matched_values_and_precedent(client):
    token = screened(client, EXAMPLES_CSV.read_bytes())
    page = client.get(f"/results/{token}/rows/4").text
    assert "UNSCR 2321 OP28" in page and "copper, nickel, silver and zinc" in page
    assert "hs_code starts with 2603" in page and "260300" in page
    assert 'data-case="dailynk-2019-01-hyesan-concentrate"' in page
    assert "https://undocs.org/S/RES/2321(2016)" in page
    assert "50,000 barrels" in page  # the case's discrepancy note


def test_exports(client):
    token = screened(client, EXAMPLES_CSV.read_bytes())
    csv_text = client.get(f"/results/{token}/export.csv").text
    header = next(csv.reader(io.StringIO(csv_text)))
    assert header[-5:] == ["status", "rule_ids", "citations", "precedents", "errors"]
    data = client.get(f"/results/{token}/export.json").json()
    assert Report.model_validate(data).summary.rows == 40
    assert data["audit"]["interface"] == "web"
    xlsx = client.get(f"/results/{token}/export.xlsx")
    assert xlsx.content[:2] == b"PK"
    printable = client.get(f"/results/{token}/report.html").text
    assert "Screening report" in printable and "UNSCR 2270 OP30" in printable


def test_column_mapping_is_applied_and_saved(client):
    data = (b"ref,shipped,from,to,tariff\n"
            b"M1,2019-01-14,KP,CN,2603\n")
    token = upload(client, data)
    check = client.get(f"/uploads/{token}/check").text
    assert "Required column(s) missing" in check and "screen-button" not in check
    mapping = {"map:ref": "id", "map:shipped": "date", "map:from": "exporter_country",
               "map:to": "importer_country", "map:tariff": "hs_code", "save_as": "ERP"}
    client.post(f"/uploads/{token}/map", data=mapping)
    assert "screen-button" in client.get(f"/uploads/{token}/check").text
    client.post(f"/uploads/{token}/screen")
    assert re.search(r'id="count-violation">1<', client.get(f"/results/{token}").text)
    # the saved mapping is offered for the next upload and applied by name
    again = client.post("/upload", files={"file": ("t2.csv", data, "text/csv")},
                        data={"mapping": "ERP"}, follow_redirects=True).text
    assert "screen-button" in again and "ERP" in again


def test_every_uploaded_value_is_escaped(client):
    evil = ('id,date,exporter_country,importer_country,hs_code,description\n'
            '"<script>alert(1)</script>",2019-01-14,KP,CN,2603,"<img src=x onerror=alert(2)>"\n')
    token = screened(client, evil.encode())
    for path in (f"/results/{token}", f"/results/{token}/rows/1",
                 f"/results/{token}/report.html", f"/uploads/{token}/check"):
        page = client.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page or "&lt;img" in page or path.endswith("check")


def test_uploads_over_the_limit_are_refused(client):
    big = b"id,date,exporter_country,importer_country,hs_code\n" + b"x" * 300_000
    response = client.post("/upload", files={"file": ("big.csv", big, "text/csv")})
    assert response.status_code == 413
    assert "larger than the 195 KB limit" in response.text
    api = client.post("/api/screen", files={"file": ("big.csv", big, "text/csv")})
    assert api.status_code == 413 and "limit" in api.json()["error"]


def test_unreadable_upload_gets_a_clear_page(client):
    token = upload(client, b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    page = client.get(f"/uploads/{token}/check").text
    assert "not a CSV file" in page


def test_api_screen_multipart_and_json(client):
    response = client.post("/api/screen", files={"file": ("t.csv", EXAMPLES_CSV.read_bytes(),
                                                           "text/csv")})
    assert response.status_code == 200
    report = Report.model_validate(response.json())
    assert report.summary.rows == 40 and report.summary.violation == 19
    records = [{"id": "a", "date": "2019-01-14", "exporter_country": "KP",
                "importer_country": "CN", "hs_code": "2603"}]
    for body in (records, {"records": records}):
        data = client.post("/api/screen", content=json.dumps(body),
                           headers={"content-type": "application/json"}).json()
        assert data["results"][0]["findings"][0]["citation"] == "UNSCR 2321 OP28"
    bad = client.post("/api/screen", content=b"{not json",
                      headers={"content-type": "application/json"})
    assert bad.status_code == 400 and "error" in bad.json()


def test_api_rules_cases_and_offline_docs(client):
    rules = client.get("/api/rules").json()
    assert {r["id"] for r in rules} >= {"2321-op28-copper-nickel-silver-zinc"}
    cases = client.get("/api/cases").json()
    assert {c["id"] for c in cases} >= {"rfa-2020-08-office39-gold"}
    docs = client.get("/docs").text
    assert "POST /api/screen" in docs and "/openapi.json" in docs
    assert "cdn" not in docs.lower() and "https://" not in docs.split("<main>")[1]
    assert client.get("/openapi.json").json()["info"]["title"] == "screener"


def test_pages_fetch_nothing_from_the_network(client):
    token = screened(client, EXAMPLES_CSV.read_bytes())
    for path in ("/", f"/results/{token}", f"/results/{token}/rows/4", "/docs"):
        page = client.get(path).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', page)
        external = [s for s in sources if s.startswith(("http://", "https://", "//"))
                    and "undocs.org" not in s]
        assert not [s for s in external if re.search(r"\.(js|css)$", s)], external
        assert not re.search(r'<script[^>]+src="(https?:)?//', page)


def test_screener_serve_starts_and_answers(tmp_path):
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "SCREENER_AUDIT": str(tmp_path / "a.sqlite"),
           "SCREENER_MAPPINGS": str(tmp_path / "m.json")}
    proc = subprocess.Popen([sys.executable, "-m", "screener.cli", "serve", "--port", str(port),
                             "--no-ledger"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline, body = time.time() + 20, ""
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as page:
                    body = page.read().decode()
                    break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.2)
        assert "Screen a file of transactions" in body, proc.stderr.read() if proc.poll() \
            is not None else "no answer"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
