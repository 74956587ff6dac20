"""Command line.

    screener screen FILE.csv [--rules DIR ...] [--format table|json|csv] [--output PATH]
    screener rules validate [PATHS] [--format text|json] [--no-lint]
    screener rules test [--rules DIR ...] [--rule ID ...]
    screener rules doc [--rules DIR ...] [--output PATH]
    screener explain --rule ID (RECORD_JSON | --csv FILE --row N) [--rules DIR ...]
    screener schema rules|cases|pack
    screener ledger show [--year Y] [--ledger PATH] | screener ledger reset [--yes]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .audit import AuditLog, default_audit_path
from .diff import diff_reports, format_changes, load_report
from .docs import rules_markdown
from .errors import ScreenerError
from .explain import explain
from .ingest import read_csv
from .ledger import Ledger, default_ledger_path
from .lints import lint
from .loader import MANIFEST, check_rules, default_pack_dir, load_rules
from .readers import DELIMITER_BY_NAME
from .render import write_csv, write_json, write_table, write_xlsx
from .rule_tests import format_outcomes, run_examples
from .schema import SCHEMAS, schema_json
from .screener import Screener
from .streaming import default_jobs, stream_screen

EXIT_OK, EXIT_FAIL, EXIT_UNUSABLE = 0, 1, 2
_SEVERITY = {"violation": ("violation",), "review": ("violation", "review")}


def _rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", type=Path, action="append", default=None, metavar="DIR",
                        help="rule pack directory (default: the shipped pack); repeat to add "
                             "overlay directories that add, override or disable rules")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="screener",
        description="Screen trade transactions against UN sanctions rules (DPRK goods "
                    "provisions) and cite the provision and the reported precedents.")
    parser.add_argument("--version", action="version", version=f"screener {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    screen = sub.add_parser("screen", help="screen a CSV file of transactions")
    screen.add_argument("file", type=Path, help="CSV or .xlsx file with a header row")
    screen.add_argument("--delimiter", choices=tuple(DELIMITER_BY_NAME),
                        help="CSV column separator (default: detected)")
    screen.add_argument("--sheet", help="worksheet of an .xlsx file (default: the first)")
    _rules_option(screen)
    screen.add_argument("--format", choices=("table", "json", "csv", "xlsx"), default="table",
                        help="xlsx needs --output")
    screen.add_argument("--output", "-o", type=Path, default=None,
                        help="write the report here instead of standard output")
    screen.add_argument("--fail-on", choices=tuple(_SEVERITY), default=None,
                        help="exit 1 when any row has this status (review includes violation)")
    ledger_choice = screen.add_mutually_exclusive_group()
    ledger_choice.add_argument("--ledger", type=Path, default=None, metavar="PATH",
                               help="cap ledger (SQLite) that keeps deliveries across uploads "
                                    f"(default: {default_ledger_path()})")
    ledger_choice.add_argument("--no-ledger", action="store_true",
                               help="judge caps on this file alone and record nothing")
    screen.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="worker processes for json/csv output (default: all cores for "
                             "files over 8 MB, else 1)")
    screen.add_argument("--quiet", "-q", action="store_true",
                        help="no progress bar or notes on stderr")
    screen.add_argument("--audit", type=Path, default=None, metavar="PATH",
                        help=f"audit log (SQLite) every run is appended to (default: "
                             f"{default_audit_path()})")

    rules = sub.add_parser("rules", help="validate, test and document rule packs")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    validate = rules_sub.add_parser(
        "validate", help="report every problem in rule packs or files as file:line:col")
    validate.add_argument("paths", type=Path, nargs="*",
                          help="pack directories (the first is the base, later ones overlays) "
                               "or rule files; default: the shipped pack")
    validate.add_argument("--format", choices=("text", "json"), default="text")
    validate.add_argument("--no-lint", action="store_true", help="report errors only")
    test = rules_sub.add_parser("test", help="run every rule's examples through the engine")
    _rules_option(test)
    test.add_argument("--rule", action="append", default=None, metavar="ID",
                      help="only this rule (repeatable)")
    doc = rules_sub.add_parser("doc", help="write the rule-pack reference (Markdown)")
    _rules_option(doc)
    doc.add_argument("--output", "-o", type=Path, default=None)

    exp = sub.add_parser("explain", help="show why a rule fires or not for one record")
    exp.add_argument("--rule", required=True, metavar="ID")
    exp.add_argument("record", nargs="?", help="the record as a JSON object")
    exp.add_argument("--csv", type=Path, help="take the record from this CSV file")
    exp.add_argument("--row", type=int, help="1-based data row of --csv")
    _rules_option(exp)

    schema = sub.add_parser("schema", help="print the JSON Schema of a YAML file kind")
    schema.add_argument("kind", choices=tuple(SCHEMAS))

    audit = sub.add_parser("audit", help="the append-only log of screening runs")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_list = audit_sub.add_parser("list", help="every recorded run")
    audit_show = audit_sub.add_parser("show", help="one run in full")
    audit_show.add_argument("run_id", type=int)
    for command in (audit_list, audit_show):
        command.add_argument("--audit", type=Path, default=None, metavar="PATH")

    diff = sub.add_parser("diff", help="rows whose status or citations changed between two "
                                       "JSON reports")
    diff.add_argument("old", type=Path)
    diff.add_argument("new", type=Path)
    diff.add_argument("--format", choices=("table", "json"), default="table")

    serve = sub.add_parser("serve", help="start the web app for compliance officers")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8000)
    _rules_option(serve)
    serve.add_argument("--max-upload-mb", type=float, default=50)
    serve_ledger = serve.add_mutually_exclusive_group()
    serve_ledger.add_argument("--ledger", type=Path, default=None, metavar="PATH")
    serve_ledger.add_argument("--no-ledger", action="store_true")
    serve.add_argument("--audit", type=Path, default=None, metavar="PATH")
    serve.add_argument("--mappings", type=Path, default=None, metavar="PATH",
                       help="where saved column mappings are kept")

    ledger = sub.add_parser("ledger", help="the cap ledger kept across uploads")
    ledger_sub = ledger.add_subparsers(dest="ledger_command", required=True)
    show = ledger_sub.add_parser("show", help="totals by period, product and supplier")
    show.add_argument("--year", help="only periods of this year, e.g. 2019")
    reset = ledger_sub.add_parser("reset", help="delete every recorded delivery")
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    for command in (show, reset):
        command.add_argument("--ledger", type=Path, default=None, metavar="PATH")
    return parser


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8", newline="")


def _screen(args: argparse.Namespace) -> int:
    if args.format == "xlsx" and args.output is None:
        raise ScreenerError("--format xlsx writes a workbook: give --output FILE.xlsx")
    pack = load_rules(*(args.rules or []))
    ledger = None if args.no_ledger else Ledger(args.ledger or default_ledger_path())
    delimiter = DELIMITER_BY_NAME.get(args.delimiter) if args.delimiter else None
    if args.format in ("json", "csv"):
        return _screen_streaming(args, pack, ledger, delimiter)
    report = Screener(pack).screen(args.file, ledger=ledger, delimiter=delimiter,
                                   sheet=args.sheet, interface="cli",
                                   audit=AuditLog(args.audit or default_audit_path()))
    for warning in report.warnings:
        print(f"screener: warning: {warning}", file=sys.stderr)
    if args.format == "xlsx":
        write_xlsx(report, args.file, args.output, delimiter, args.sheet)
        print(f"wrote xlsx report for {report.summary.rows} rows to {args.output}",
              file=sys.stderr)
        return _exit_code(args, report)
    buffer = io.StringIO()
    if args.format == "json":
        write_json(report, buffer)
    elif args.format == "csv":
        write_csv(report, args.file, buffer, delimiter, args.sheet)
    else:
        write_table(report, pack, buffer)
    _write(buffer.getvalue(), args.output)
    if args.output is not None:
        print(f"wrote {args.format} report for {report.summary.rows} rows to {args.output}",
              file=sys.stderr)
    return _exit_code(args, report)


def _screen_streaming(args: argparse.Namespace, pack, ledger: Ledger | None,
                      delimiter: str | None) -> int:
    """json and csv are written as rows finish: flat memory, both cores (streaming.py)."""
    jobs = args.jobs if args.jobs is not None else default_jobs(args.file)
    dirs = [str(d) for d in (args.rules or [default_pack_dir()])]
    target = args.output.open("w", encoding="utf-8", newline="") if args.output else \
        sys.stdout
    bar = _progress_bar(args)
    try:
        outcome = stream_screen(Screener(pack), args.file, target, args.format, jobs=jobs,
                                ledger=ledger, audit=AuditLog(args.audit or
                                                              default_audit_path()),
                                delimiter=delimiter, sheet=args.sheet, pack_dirs=dirs,
                                progress=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
        if args.output:
            target.close()
    if not args.quiet:
        for warning in outcome.warnings:
            print(f"screener: warning: {warning}", file=sys.stderr)
        if args.output is not None:
            print(f"wrote {args.format} report for {outcome.summary.rows} rows to "
                  f"{args.output}", file=sys.stderr)
    statuses = _SEVERITY.get(args.fail_on or "", ())
    if any(getattr(outcome.summary, s) for s in statuses):
        return EXIT_FAIL
    return EXIT_OK


def _progress_bar(args: argparse.Namespace):
    """A progress bar with rows/s and ETA on a terminal; nothing when piped or --quiet."""
    if args.quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    try:
        size = args.file.stat().st_size
        with args.file.open("rb") as handle:
            head = handle.read(1 << 20)
        lines = max(1, head.count(b"\n"))
        estimate = int(size / (len(head) / lines)) if head else None
    except OSError:
        estimate = None
    return tqdm(total=estimate, unit=" rows", unit_scale=True, file=sys.stderr,
                desc="screening", smoothing=0.1)


def _exit_code(args: argparse.Namespace, report) -> int:
    if args.fail_on and any(r.status in _SEVERITY[args.fail_on] for r in report.results):
        return EXIT_FAIL
    return EXIT_OK


def _pack_of(path: Path) -> Path:
    """The pack directory a rule file belongs to: nearest ancestor with a manifest."""
    for parent in path.resolve().parents:
        if (parent / MANIFEST).is_file():
            return parent
    return path.resolve().parent


def _validate(args: argparse.Namespace) -> int:
    paths: list[Path] = args.paths
    files = [p for p in paths if p.is_file()]
    dirs = [p for p in paths if not p.is_file()]
    problems = []
    if files:
        # A file is checked within its pack (so references to other files resolve); only the
        # problems located in the named files are reported.
        by_pack: dict[Path, set[str]] = {}
        for file in files:
            by_pack.setdefault(_pack_of(file), set()).add(str(file.resolve()))
        for pack_dir, members in by_pack.items():
            pack, found = check_rules(pack_dir)
            problems += [p for p in found if p.file in members]
            if pack is not None:
                problems += [p for p in lint(pack) if p.file in members] \
                    if not args.no_lint else []
    if dirs or not files:
        pack, found = check_rules(*dirs)
        problems += found
        if pack is not None and not args.no_lint:
            problems += lint(pack)
    errors = sum(p.level == "error" for p in problems)
    warnings = len(problems) - errors
    if args.format == "json":
        json.dump({"problems": [p.to_dict() for p in problems], "errors": errors,
                   "warnings": warnings}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for problem in problems:
            print(problem)
        files_read = {p.file for p in problems}
        print(f"{errors} error(s), {warnings} warning(s)"
              + (f" in {len(files_read)} file(s)" if problems else ""), file=sys.stderr)
    return EXIT_FAIL if errors else EXIT_OK


def _test(args: argparse.Namespace) -> int:
    screener = Screener(load_rules(*(args.rules or [])))
    outcomes = run_examples(screener, set(args.rule) if args.rule else None)
    if args.rule and not outcomes:
        print(f"screener: error: no examples for rule(s) {', '.join(args.rule)}",
              file=sys.stderr)
        return EXIT_UNUSABLE
    sys.stdout.write(format_outcomes(outcomes))
    return EXIT_OK if all(o.passed for o in outcomes) else EXIT_FAIL


def _explain(args: argparse.Namespace) -> int:
    screener = Screener(load_rules(*(args.rules or [])))
    if args.csv is not None:
        if args.row is None:
            raise ScreenerError("--csv needs --row N (the 1-based data row)")
        _, rows = read_csv(args.csv)  # explain reads CSV/XLSX with detected settings
        raw = next((r for r in rows if r.row == args.row), None)
        if raw is None:
            raise ScreenerError(f"{args.csv}: no data row {args.row}")
        record, row = {**raw.values, **raw.extra}, raw.row
    elif args.record:
        try:
            record = json.loads(args.record)
        except json.JSONDecodeError as exc:
            raise ScreenerError(f"the record is not valid JSON: {exc}") from None
        if not isinstance(record, dict):
            raise ScreenerError("the record must be a JSON object")
        row = 1
    else:
        raise ScreenerError("give the record as JSON, or --csv FILE --row N")
    try:
        sys.stdout.write(explain(screener, args.rule, record, row))
    except KeyError as exc:
        raise ScreenerError(exc.args[0]) from None
    return EXIT_OK


def _ledger(args: argparse.Namespace) -> int:
    path = args.ledger or default_ledger_path()
    if args.ledger_command == "reset":
        if not path.exists():
            print(f"no ledger at {path}")
            return EXIT_OK
        ledger = Ledger(path)
        if not args.yes:
            answer = input(f"Delete all {ledger.count()} deliveries recorded in {path}? "
                           "Type 'yes' to confirm: ")
            if answer.strip().lower() != "yes":
                print("ledger left unchanged")
                return EXIT_FAIL
        print(f"removed {ledger.reset()} deliveries from {path}")
        return EXIT_OK
    if not path.exists():
        print(f"no ledger at {path} (nothing recorded yet)")
        return EXIT_OK
    totals = Ledger(path).totals(args.year)
    print(f"ledger {path}")
    if not totals:
        print("no deliveries recorded" + (f" for {args.year}" if args.year else ""))
        return EXIT_OK
    rows = [("RULE", "PERIOD", "PRODUCT", "SUPPLIER", "DELIVERIES", "BARRELS")]
    rows += [(t.rule_id, t.period, t.product or "-", t.supplier or "-", str(t.deliveries),
              f"{t.barrels:,.0f}") for t in totals]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(c.ljust(w) if i < 4 else c.rjust(w)
                        for i, (c, w) in enumerate(zip(row, widths, strict=True))))
    by_period: dict[tuple[str, str], float] = {}
    for t in totals:
        by_period[(t.rule_id, t.period)] = by_period.get((t.rule_id, t.period), 0) + t.barrels
    for (rule_id, period), barrels in by_period.items():
        print(f"total {rule_id} {period}: {barrels:,.0f} bbl")
    return EXIT_OK


def _audit(args: argparse.Namespace) -> int:
    log = AuditLog(args.audit or default_audit_path())
    if args.audit_command == "show":
        run = log.run(args.run_id)
        if run is None:
            raise ScreenerError(f"no run {args.run_id} in the audit log {log.path}")
        print(run.model_dump_json(indent=2))
        return EXIT_OK
    runs = log.runs()
    print(f"audit log {log.path}: {len(runs)} run(s)")
    for run in runs:
        state = "incomplete" if run.status == "running" else run.status
        counts = " ".join(f"{k}={v}" for k, v in (run.counts or {}).items())
        print(f"#{run.run_id}  {run.started_at}  {state:<10}  {run.user}  {run.interface}  "
              f"{run.input_name or '(records)'}  input {run.input_sha256[:12]}  "
              f"rows={run.rows if run.rows is not None else '?'}  {counts}  rules "
              f"{run.ruleset_name} {run.ruleset_version} {run.ruleset_sha256[:12]}  report "
              f"{(run.report_sha256 or '-')[:12]}")
    return EXIT_OK


def _diff(args: argparse.Namespace) -> int:
    changes = diff_reports(load_report(args.old), load_report(args.new))
    if args.format == "json":
        json.dump([c.model_dump() for c in changes], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_changes(changes))
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from .web import WebSettings, create_app
        from .web.mappings import default_mappings_path
    except ImportError as exc:
        raise ScreenerError(f"the web app needs its extra: pip install 'screener[web]' "
                            f"({exc.name} is missing)") from None
    screener = Screener(load_rules(*(args.rules or [])))
    settings = WebSettings(
        max_upload_bytes=int(args.max_upload_mb * 1024 * 1024),
        ledger=None if args.no_ledger else Ledger(args.ledger or default_ledger_path()),
        audit=AuditLog(args.audit or default_audit_path()),
        mappings_path=args.mappings or default_mappings_path())
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"screener: warning: serving on {args.host}: other machines can reach it",
              file=sys.stderr)
    print(f"screener web app on http://{args.host}:{args.port}/ (Ctrl+C to stop)",
          file=sys.stderr)
    uvicorn.run(create_app(screener, settings), host=args.host, port=args.port,
                log_level="warning")
    return EXIT_OK


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return _serve(args)
    if args.command == "ledger":
        return _ledger(args)
    if args.command == "audit":
        return _audit(args)
    if args.command == "diff":
        return _diff(args)
    if args.command == "screen":
        return _screen(args)
    if args.command == "explain":
        return _explain(args)
    if args.command == "schema":
        sys.stdout.write(schema_json(args.kind))
        return EXIT_OK
    if args.rules_command == "validate":
        return _validate(args)
    if args.rules_command == "test":
        return _test(args)
    _write(rules_markdown(load_rules(*(args.rules or []))), args.output)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except ScreenerError as exc:
        print(f"screener: error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except OSError as exc:
        print(f"screener: error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
