"""`screener screen`: in memory (table, xlsx) or streamed (json, csv)."""

from __future__ import annotations

import argparse
import io
import sys

from ..audit import AuditLog, default_audit_path
from ..errors import ScreenerError
from ..ledger import Ledger, default_ledger_path
from ..loader import default_pack_dir, load_rules
from ..readers import DELIMITER_BY_NAME
from ..render import write_csv, write_json, write_table, write_xlsx
from ..screener import Screener
from ..streaming import default_jobs, stream_screen
from .common import EXIT_FAIL, EXIT_OK, write_text

SEVERITY = {"violation": ("violation",), "review": ("violation", "review")}


def run(args: argparse.Namespace) -> int:
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
    write_text(buffer.getvalue(), args.output)
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
    statuses = SEVERITY.get(args.fail_on or "", ())
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
    if args.fail_on and any(r.status in SEVERITY[args.fail_on] for r in report.results):
        return EXIT_FAIL
    return EXIT_OK


