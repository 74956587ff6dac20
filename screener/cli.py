"""Command line: `screener screen FILE.csv [--rules DIR] [--format table|json|csv] ...`."""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .docs import rules_markdown
from .errors import ScreenerError
from .loader import load_rules
from .render import write_csv, write_json, write_table
from .screener import Screener

EXIT_OK, EXIT_FAIL_ON, EXIT_UNUSABLE = 0, 1, 2
_SEVERITY = {"violation": ("violation",), "review": ("violation", "review")}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="screener",
        description="Screen trade transactions against UN sanctions rules (DPRK goods "
                    "provisions) and cite the provision and the reported precedents.")
    parser.add_argument("--version", action="version", version=f"screener {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    screen = sub.add_parser("screen", help="screen a CSV file of transactions")
    screen.add_argument("file", type=Path, help="CSV file (UTF-8, header row)")
    screen.add_argument("--rules", type=Path, default=None,
                        help="rule pack directory (default: the pack shipped with screener)")
    screen.add_argument("--format", choices=("table", "json", "csv"), default="table")
    screen.add_argument("--output", "-o", type=Path, default=None,
                        help="write the report here instead of standard output")
    screen.add_argument("--fail-on", choices=tuple(_SEVERITY), default=None,
                        help="exit 1 when any row has this status (review includes violation)")
    rules = sub.add_parser("rules", help="work with rule packs")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    doc = rules_sub.add_parser("doc", help="write the rule-pack reference (Markdown)")
    doc.add_argument("--rules", type=Path, default=None, help="rule pack directory")
    doc.add_argument("--output", "-o", type=Path, default=None)
    return parser


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")


def _rules(args: argparse.Namespace) -> int:
    pack = load_rules(args.rules)
    _write(rules_markdown(pack), args.output)
    return EXIT_OK


def _screen(args: argparse.Namespace) -> int:
    pack = load_rules(args.rules)
    report = Screener(pack).screen(args.file)
    buffer = io.StringIO()
    if args.format == "json":
        write_json(report, buffer)
    elif args.format == "csv":
        write_csv(report, args.file, buffer)
    else:
        write_table(report, pack, buffer)
    _write(buffer.getvalue(), args.output)
    if args.output is not None:
        print(f"wrote {args.format} report for {report.summary.rows} rows to {args.output}",
              file=sys.stderr)
    if args.fail_on and any(r.status in _SEVERITY[args.fail_on] for r in report.results):
        return EXIT_FAIL_ON
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _screen(args) if args.command == "screen" else _rules(args)
    except ScreenerError as exc:
        print(f"screener: error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except OSError as exc:
        print(f"screener: error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
