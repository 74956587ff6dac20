"""Write a Report as a terminal table, the JSON contract, or the input CSV with verdicts."""

from __future__ import annotations

import csv
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO, TextIO

from .jsonout import JsonReportWriter
from .loader import RulePack
from .readers import Source, read_table
from .report import STATUS_ORDER, Finding, Report, Result

VERDICT_COLUMNS = ("status", "rule_ids", "citations", "precedents", "errors")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
WIDTH = 100


def write_json(report: Report, out: TextIO) -> None:
    """The same document the streaming path writes (see jsonout.py)."""
    writer = JsonReportWriter(out)
    writer.begin(report.screener_version, report.source, report.ruleset)
    for result in report.results:
        writer.result(result.model_dump_json())
    writer.end(summary=report.summary, precedents=report.precedents, ledger=report.ledger,
               warnings=report.warnings, audit=report.audit)


def verdict_header(header: list[str]) -> list[str]:
    """The input header with the verdict columns appended; a verdict column whose name the
    input already uses is prefixed `screener_`."""
    taken = {h.strip().casefold() for h in header}
    return [*header, *(c if c not in taken else f"screener_{c}" for c in VERDICT_COLUMNS)]


def neutralise(cell: str) -> str:
    """Stop spreadsheets from running a cell as a formula (OWASP CSV injection guidance)."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def verdict_cells(result: Result) -> list[str]:
    return [
        result.status,
        ";".join(f.rule_id for f in result.findings),
        "; ".join(f.citation for f in result.findings),
        ";".join(dict.fromkeys(c for f in result.findings for c in f.precedents)),
        " | ".join(e.message for e in result.errors),
    ]


def write_csv(report: Report, source: Source, out: TextIO, delimiter: str | None = None,
              sheet: str | None = None) -> None:
    """The input rows exactly as read (as UTF-8, comma-separated), with the verdict columns
    appended."""
    table = read_table(source, delimiter, sheet)
    header, rows = table.header, table.rows
    # RFC 4180 line ends: with "\n" alone, csv.writer would leave a cell holding "\r" unquoted
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in verdict_header(header)])
    by_row = {r.row: r for r in report.results}
    for number, cells in rows:
        cells = cells + [""] * (len(header) - len(cells))
        result = by_row[number]
        writer.writerow([neutralise(c) for c in [*cells, *verdict_cells(result)]])


def write_xlsx(report: Report, source: Source | None, path: Path | BinaryIO,
               delimiter: str | None = None, sheet: str | None = None) -> None:
    """A workbook: Summary, Results (the input rows with verdict columns, when the input was a
    file) and Findings (one row per finding). Every text cell is neutralised against formula
    injection, and written as text (openpyxl would otherwise store "=..." as a formula)."""
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    info = report.ruleset
    rows: list[list[object]] = [
        ["screener", report.screener_version], ["input", report.source or ""],
        ["rule pack", f"{info.name} {info.version}"], ["rule pack sha256", info.sha256],
        ["rows", report.summary.rows],
        *[[status, getattr(report.summary, status)] for status in STATUS_ORDER],
        *[["warning", w] for w in report.warnings]]
    if report.audit is not None:
        rows += [["audit run", report.audit.run_id], ["input sha256", report.audit.input_sha256],
                 ["report sha256", report.audit.report_sha256 or ""]]
    for row in rows:
        summary.append([_xlsx_cell(v) for v in row])
    results = book.create_sheet("Results")
    by_row = {r.row: r for r in report.results}
    if source is not None:
        table = read_table(source, delimiter, sheet)
        results.append([_xlsx_cell(c) for c in verdict_header(table.header)])
        for number, cells in table.rows:
            cells = cells + [""] * (len(table.header) - len(cells))
            results.append([_xlsx_cell(c) for c in [*cells, *verdict_cells(by_row[number])]])
    else:
        results.append(["row", "id", *VERDICT_COLUMNS])
        for r in report.results:
            results.append([r.row, _xlsx_cell(r.id or ""),
                            *[_xlsx_cell(c) for c in verdict_cells(r)]])
    findings = book.create_sheet("Findings")
    findings.append(["row", "id", "rule_id", "citation", "verdict", "explanation",
                     "precedents"])
    for r in report.results:
        for f in r.findings:
            findings.append([r.row, *[_xlsx_cell(v) for v in (
                r.id or "", f.rule_id, f.citation, f.verdict, f.explanation,
                ";".join(f.precedents))]])
    book.save(path)


def _xlsx_cell(value: object) -> object:
    if isinstance(value, str):
        return neutralise(value)
    return value


def _goods(result: Result) -> str:
    parts = [p for p in (result.hs_code, result.description) if p]
    return " ".join(parts)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def write_table(report: Report, pack: RulePack, out: TextIO) -> None:
    s = report.summary
    info = report.ruleset
    out.write(f"screener {report.screener_version} · rule pack {info.name} {info.version} "
              f"(sha256 {info.sha256[:12]}, {info.rules} rules, {info.cases} cases)\n")
    if report.source:
        out.write(f"input: {report.source}\n")
    counts = " · ".join(f"{getattr(s, k)} {k}" for k in STATUS_ORDER)
    out.write(f"{s.rows} rows: {counts}\n\n")
    _overview(report.results, out)
    flagged = [r for r in report.results if r.status != "clear"]
    if flagged:
        out.write("\nDetails\n" + "─" * 7 + "\n")
    for result in flagged:
        _details(result, pack, out)


def _overview(results: Iterable[Result], out: TextIO) -> None:
    rows = [("ROW", "ID", "STATUS", "CITATIONS", "GOODS")]
    for r in results:
        citations = ", ".join(dict.fromkeys(f.citation for f in r.findings))
        rows.append((str(r.row), _clip(r.id or "?", 18), r.status, citations or "-",
                     _goods(r)))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        fixed = "  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True))
        out.write(_clip(f"{fixed}  {row[4]}", WIDTH).rstrip() + "\n")


def _cap_line(f: Finding) -> str:
    c = f.cap
    assert c is not None
    state = "EXCEEDED" if c.exceeded else (f"alert {c.alert:.0%}" if c.alert else "within")
    earlier = ", ".join(f"{d.id} ({d.date}, {d.barrels:,.0f}{', ' + d.source if d.source else ''})"
                        for d in c.earlier[-5:])
    more = len(c.earlier) - 5 + c.earlier_omitted
    if more > 0:
        earlier = f"{more} more, " + earlier
    return (f"cap {c.period}: {c.before:,.0f} + {c.delivery:,.0f} = {c.after:,.0f} {c.unit} of "
            f"{c.cap:,.0f} ({c.share:.0%}, {state}); converted as {c.conversion}; earlier: "
            f"{earlier or 'none'}")


def _details(result: Result, pack: RulePack, out: TextIO) -> None:
    out.write(f"\nrow {result.row} · {result.id or '?'} · {result.status.upper()}\n")
    wrap = textwrap.TextWrapper(width=WIDTH, initial_indent="    ", subsequent_indent="      ")
    for error in result.errors:
        out.write(wrap.fill(error.message) + "\n")
    for f in result.findings:
        out.write(f"  {f.citation} (adopted {f.adopted}) · {f.verdict} · {f.rule_id}\n")
        out.write(wrap.fill(f.title) + "\n")
        for m in f.conditions:
            shown = "(blank)" if m.value is None else m.value
            out.write(wrap.fill(f"✓ {m.condition}: {m.column} = {shown}") + "\n")
        for case_id in f.precedents:
            case = pack.cases[case_id]
            when = case.published or case.published_note or "date not recorded"
            out.write(wrap.fill(f"precedent {case_id}: {case.title} ({case.outlet}, {when})")
                      + "\n")
        if f.cap is not None:
            out.write(wrap.fill(_cap_line(f)) + "\n")
        for caveat in f.caveats:
            out.write(wrap.fill(f"note: {caveat}") + "\n")
    for e in result.exemptions:
        out.write(wrap.fill(f"exempt from {e.citation} ({e.rule_id}) by exception "
                            f"{e.exception_id}: {e.description}") + "\n")
    for warning in result.warnings:
        out.write(wrap.fill(f"warning: {warning}") + "\n")
