"""`screener ledger`, `screener audit` and `screener diff`: what earlier runs left."""

from __future__ import annotations

import argparse
import json
import sys

from ..audit import AuditLog, default_audit_path
from ..diff import diff_reports, format_changes, load_report
from ..errors import ScreenerError
from ..ledger import Ledger, default_ledger_path
from .common import EXIT_FAIL, EXIT_OK


def ledger(args: argparse.Namespace) -> int:
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


def audit(args: argparse.Namespace) -> int:
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


def diff(args: argparse.Namespace) -> int:
    changes = diff_reports(load_report(args.old), load_report(args.new))
    if args.format == "json":
        json.dump([c.model_dump() for c in changes], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_changes(changes))
    return EXIT_OK


