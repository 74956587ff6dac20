"""FastAPI app: upload a CSV/XLSX, check it, map columns, screen, review, export.

Server-rendered pages (Jinja2, autoescaped), a small local stylesheet and script, no build
step and nothing fetched from the network: the app works fully offline. Uploads stay in
memory (the multipart spool is raised above the size limit so nothing lands in a temporary
file) and are never written anywhere the user did not choose.
"""

from __future__ import annotations

import io
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.formparsers import MultiPartParser

from .. import __version__
from ..audit import AuditLog
from ..errors import ScreenerError
from ..ledger import Ledger
from ..readers import DELIMITER_BY_NAME, UploadedFile
from ..render import write_csv, write_json, write_xlsx
from ..report import STATUS_ORDER, Report, Result
from ..screener import Screener
from ..transaction import CANONICAL_COLUMNS
from .mappings import MappingStore, default_mappings_path
from .preflight import preflight
from .store import Upload, UploadStore

HERE = Path(__file__).parent
PAGE_SIZE = 100
SORTS = {"row": lambda r: r.row, "id": lambda r: (r.id or ""),
         "status": lambda r: STATUS_ORDER.index(r.status),
         "citations": lambda r: ", ".join(f.citation for f in r.findings)}


@dataclass
class WebSettings:
    max_upload_bytes: int = 50 * 1024 * 1024
    ledger: Ledger | None = None
    audit: AuditLog | None = None
    mappings_path: Path = field(default_factory=default_mappings_path)


def create_app(screener: Screener, settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings()
    # Starlette spools uploads over 1 MB to a temporary file; keep them in memory instead.
    MultiPartParser.spool_max_size = settings.max_upload_bytes + 1
    app = FastAPI(title="screener", version=__version__, docs_url=None, redoc_url=None,
                  description="Screen trade transactions against the UN DPRK goods "
                              "provisions. The JSON contract is the CLI's --format json.")
    app.state.screener = screener
    app.state.settings = settings
    app.state.uploads = UploadStore()
    app.state.mappings = MappingStore(settings.mappings_path)
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(version=__version__, pack=screener.pack,
                                 statuses=STATUS_ORDER)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def page(request: Request, name: str, status_code: int = 200, **context: Any):
        return templates.TemplateResponse(request, name, context, status_code=status_code)

    def too_large(request: Request) -> bool:
        length = request.headers.get("content-length")
        return length is not None and length.isdigit() and \
            int(length) > settings.max_upload_bytes + 64 * 1024

    def limit_text() -> str:
        size = settings.max_upload_bytes
        return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"

    async def read_upload(request: Request) -> tuple[UploadedFile, dict[str, str]]:
        if too_large(request):
            raise HTTPException(413, f"the upload is larger than the {limit_text()} limit")
        form = await request.form(max_files=1, max_part_size=64 * 1024)
        item = form.get("file")
        if item is None or isinstance(item, str) or not item.filename:
            raise HTTPException(400, "choose a CSV or .xlsx file to upload")
        data = await item.read(settings.max_upload_bytes + 1)
        if len(data) > settings.max_upload_bytes:
            raise HTTPException(413, f"the upload is larger than the {limit_text()} limit")
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        return UploadedFile(Path(item.filename).name, data), fields

    def get_upload(token: str, screened: bool = False) -> Upload:
        upload = app.state.uploads.get(token)
        if upload is None or (screened and upload.report is None):
            raise HTTPException(404, "this upload is no longer held by the server: upload the "
                                     "file again")
        return upload

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        return page(request, "error.html", exc.status_code, message=exc.detail)

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request):
        return page(request, "upload.html", limit=limit_text())

    @app.post("/upload")
    async def upload(request: Request):
        file, fields = await read_upload(request)
        stored = app.state.uploads.add(file)
        stored.delimiter = DELIMITER_BY_NAME.get(fields.get("delimiter", ""))
        stored.sheet = fields.get("sheet") or None
        saved = app.state.mappings.all().get(fields.get("mapping", ""))
        if saved:
            stored.mapping = dict(saved)
        return RedirectResponse(f"/uploads/{stored.token}/check", status_code=303)

    # Checking and screening are plain `def` routes: FastAPI runs them in a worker thread,
    # so a long file does not block other requests.
    @app.get("/uploads/{token}/check", response_class=HTMLResponse)
    def check(request: Request, token: str, mapping: str | None = None):
        upload = get_upload(token)
        saved = app.state.mappings.all()
        if mapping and mapping in saved:
            upload.mapping = dict(saved[mapping])
        report = preflight(upload, screener.pack.tables)
        return page(request, "check.html", upload=upload, check=report, saved=sorted(saved),
                    columns=CANONICAL_COLUMNS)

    @app.post("/uploads/{token}/map")
    async def remap(request: Request, token: str):
        upload = get_upload(token)
        form = await request.form()
        upload.mapping = _mapping_from(form)
        name = str(form.get("save_as") or "").strip()
        if name:
            app.state.mappings.save(name, upload.mapping)
        return RedirectResponse(f"/uploads/{token}/check", status_code=303)

    @app.post("/uploads/{token}/screen")
    def screen(token: str):
        upload = get_upload(token)
        started = time.perf_counter()
        try:
            upload.report = screener.screen(
                upload.file, ledger=settings.ledger, delimiter=upload.delimiter,
                sheet=upload.sheet, mapping=upload.mapping, audit=settings.audit or False,
                interface="web")
        except ScreenerError as exc:
            raise HTTPException(400, str(exc)) from None
        upload.seconds = time.perf_counter() - started
        return RedirectResponse(f"/results/{token}", status_code=303)

    @app.get("/results/{token}", response_class=HTMLResponse)
    async def results(request: Request, token: str, status: str = "", rule: str = "",
                      sort: str = "row", order: str = "asc", page_no: int = 1):
        upload = get_upload(token, screened=True)
        report = upload.report
        assert report is not None
        rows = [r for r in report.results
                if (not status or r.status == status)
                and (not rule or any(f.rule_id == rule for f in r.findings))]
        rows.sort(key=SORTS.get(sort, SORTS["row"]), reverse=order == "desc")
        pages = max(1, -(-len(rows) // PAGE_SIZE))
        page_no = min(max(1, page_no), pages)
        shown = rows[(page_no - 1) * PAGE_SIZE: page_no * PAGE_SIZE]
        by_resolution = Counter(res for r in report.results
                                for res in {f.resolution for f in r.findings})
        rules = sorted(report.summary.by_rule)
        return page(request, "results.html", upload=upload, report=report, rows=shown,
                    total=len(rows), page_no=page_no, pages=pages, status=status, rule=rule,
                    sort=sort, order=order, by_resolution=sorted(by_resolution.items()),
                    rules=rules)

    @app.get("/results/{token}/rows/{row}", response_class=HTMLResponse)
    async def row_detail(request: Request, token: str, row: int):
        upload = get_upload(token, screened=True)
        assert upload.report is not None
        result = next((r for r in upload.report.results if r.row == row), None)
        if result is None:
            raise HTTPException(404, f"no row {row} in this upload")
        rules = {f.rule_id: screener.pack.rule(f.rule_id) for f in result.findings
                 if f.rule_id in {r.id for r in screener.pack.rules}}
        return page(request, "row.html", upload=upload, result=result, rules=rules,
                    cases=screener.pack.cases)

    @app.get("/results/{token}/export.{kind}")
    async def export(token: str, kind: str):
        upload = get_upload(token, screened=True)
        report = upload.report
        assert report is not None
        stem = Path(upload.file.name).stem + "-screened"
        if kind == "csv":
            buffer = io.StringIO()
            write_csv(report, upload.file, buffer, upload.delimiter, upload.sheet)
            return _download(buffer.getvalue().encode("utf-8"), f"{stem}.csv", "text/csv")
        if kind == "json":
            buffer = io.StringIO()
            write_json(report, buffer)
            return _download(buffer.getvalue().encode(), f"{stem}.json", "application/json")
        if kind == "xlsx":
            binary = io.BytesIO()
            write_xlsx(report, upload.file, binary, upload.delimiter, upload.sheet)
            return _download(binary.getvalue(), f"{stem}.xlsx", "application/vnd."
                             "openxmlformats-officedocument.spreadsheetml.sheet")
        raise HTTPException(404, f"no export of kind {kind!r} (csv, json, xlsx)")

    @app.get("/results/{token}/report.html", response_class=HTMLResponse)
    async def printable(request: Request, token: str):
        upload = get_upload(token, screened=True)
        return page(request, "report.html", upload=upload, report=upload.report,
                    cases=screener.pack.cases)

    @app.post("/api/screen")
    async def api_screen(request: Request) -> JSONResponse:
        """Screen a multipart CSV/XLSX upload (field `file`) or a JSON body (a list of
        records, or {"records": [...]}); returns the CLI's JSON report."""
        if request.headers.get("content-type", "").startswith("multipart/"):
            file, fields = await read_upload(request)
            records: Any = file
            delimiter = DELIMITER_BY_NAME.get(fields.get("delimiter", ""))
        else:
            if too_large(request):
                raise HTTPException(413, f"the request is larger than the {limit_text()} "
                                         "limit")
            try:
                body = json.loads(await request.body())
            except ValueError:
                raise HTTPException(400, "send a CSV file (multipart) or JSON records") \
                    from None
            records = body.get("records") if isinstance(body, dict) else body
            if not isinstance(records, list):
                raise HTTPException(400, "JSON body must be a list of records or "
                                         "{\"records\": [...]}")
            delimiter = None
        try:
            report = screener.screen(records, ledger=settings.ledger, delimiter=delimiter,
                                     audit=settings.audit or False, interface="web")
        except ScreenerError as exc:
            raise HTTPException(400, str(exc)) from None
        return JSONResponse(json.loads(report.model_dump_json()))

    @app.get("/api/rules")
    async def api_rules() -> list[dict[str, Any]]:
        """The loaded rules with their citations, dates, goods and verdicts."""
        return [{"id": r.id, "citation": r.citation, "title": r.title, "goods": r.goods,
                 "resolution": r.resolution, "paragraph": r.paragraph,
                 "adopted": r.adopted.isoformat(),
                 "in_force_from": r.in_force_from.isoformat() if r.in_force_from else None,
                 "in_force_until": r.in_force_until.isoformat() if r.in_force_until else None,
                 "direction": r.direction, "verdict": r.verdict, "precedents": r.precedents,
                 "references": r.references} for r in screener.pack.rules]

    @app.get("/api/cases")
    async def api_cases() -> list[dict[str, Any]]:
        """The precedent cases findings cite."""
        return [json.loads(c.model_dump_json()) for c in screener.pack.cases.values()]

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    async def docs(request: Request):
        return page(request, "docs.html", spec=app.openapi())

    return app




def _mapping_from(form: Any) -> dict[str, str]:
    mapping = {}
    for key, value in form.items():
        if key.startswith("map:") and isinstance(value, str) and value in CANONICAL_COLUMNS:
            mapping[key[4:]] = value
    return mapping


def _download(data: bytes, name: str, media_type: str) -> Response:
    return Response(data, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


__all__ = ["Report", "Result", "WebSettings", "create_app"]
