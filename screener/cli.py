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
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .audit import default_audit_path
from .commands import rules as rules_cmd
from .commands import screen as screen_cmd
from .commands import serve as serve_cmd
from .commands import stores as stores_cmd
from .commands.common import EXIT_OK, EXIT_UNUSABLE
from .errors import ScreenerError
from .ledger import default_ledger_path
from .readers import DELIMITER_BY_NAME
from .schema import SCHEMAS, schema_json


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
    screen.add_argument("--fail-on", choices=tuple(screen_cmd.SEVERITY), default=None,
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


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "schema":
        sys.stdout.write(schema_json(args.kind))
        return EXIT_OK
    if args.command == "rules":
        return {"validate": rules_cmd.validate, "test": rules_cmd.test,
                "doc": rules_cmd.doc}[args.rules_command](args)
    return {"screen": screen_cmd.run, "explain": rules_cmd.run_explain,
            "serve": serve_cmd.serve, "ledger": stores_cmd.ledger, "audit": stores_cmd.audit,
            "diff": stores_cmd.diff}[args.command](args)


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
