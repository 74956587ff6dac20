"""`screener serve`: the web app for compliance officers."""

from __future__ import annotations

import argparse
import sys

from ..audit import AuditLog, default_audit_path
from ..errors import ScreenerError
from ..ledger import Ledger, default_ledger_path
from ..loader import load_rules
from ..screener import Screener
from .common import EXIT_OK


def serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from ..web import WebSettings, create_app
        from ..web.mappings import default_mappings_path
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


