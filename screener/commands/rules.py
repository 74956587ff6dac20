"""`screener rules validate|test|doc` and `screener explain`: the rule authors' tools."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..docs import rules_markdown
from ..errors import ScreenerError
from ..explain import explain
from ..ingest import read_csv
from ..lints import lint
from ..loader import MANIFEST, check_rules, load_rules
from ..rule_tests import format_outcomes, run_examples
from ..screener import Screener
from .common import EXIT_FAIL, EXIT_OK, EXIT_UNUSABLE, write_text


def _pack_of(path: Path) -> Path:
    """The pack directory a rule file belongs to: nearest ancestor with a manifest."""
    for parent in path.resolve().parents:
        if (parent / MANIFEST).is_file():
            return parent
    return path.resolve().parent


def validate(args: argparse.Namespace) -> int:
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


def test(args: argparse.Namespace) -> int:
    screener = Screener(load_rules(*(args.rules or [])))
    outcomes = run_examples(screener, set(args.rule) if args.rule else None)
    if args.rule and not outcomes:
        print(f"screener: error: no examples for rule(s) {', '.join(args.rule)}",
              file=sys.stderr)
        return EXIT_UNUSABLE
    sys.stdout.write(format_outcomes(outcomes))
    return EXIT_OK if all(o.passed for o in outcomes) else EXIT_FAIL


def run_explain(args: argparse.Namespace) -> int:
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




def doc(args: argparse.Namespace) -> int:
    write_text(rules_markdown(load_rules(*(args.rules or []))), args.output)
    return EXIT_OK
