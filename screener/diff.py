"""`screener diff OLD.json NEW.json`: the rows whose status or citations changed between two
reports (for example after a rule-pack update), so an officer re-reviews only those."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .errors import ScreenerError


class RowChange(BaseModel):
    key: str  # the transaction id, or "row N" when the row has no usable id
    old_row: int | None
    new_row: int | None
    old_status: str | None
    new_status: str | None
    removed_citations: list[str]
    added_citations: list[str]


def load_report(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScreenerError(f"{path}: not a JSON report ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise ScreenerError(f"{path}: not a screener JSON report (no 'results' list)")
    return data


def _keyed(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    ids = [r.get("id") for r in report["results"]]
    keyed = {}
    for result in report["results"]:
        rid = result.get("id")
        usable = rid not in (None, "") and ids.count(rid) == 1
        keyed[str(rid) if usable else f"row {result.get('row')}"] = result
    return keyed


def _citations(result: dict[str, Any] | None) -> set[str]:
    if result is None:
        return set()
    return {f.get("citation") or f"UNSCR {f['resolution']} OP{f['paragraph']}"
            for f in result.get("findings", [])}


def diff_reports(old: dict[str, Any], new: dict[str, Any]) -> list[RowChange]:
    before, after = _keyed(old), _keyed(new)
    changes = []
    for key in list(before) + [k for k in after if k not in before]:
        a, b = before.get(key), after.get(key)
        old_cites, new_cites = _citations(a), _citations(b)
        status_a, status_b = (a or {}).get("status"), (b or {}).get("status")
        if status_a == status_b and old_cites == new_cites:
            continue
        changes.append(RowChange(
            key=key, old_row=(a or {}).get("row"), new_row=(b or {}).get("row"),
            old_status=status_a, new_status=status_b,
            removed_citations=sorted(old_cites - new_cites),
            added_citations=sorted(new_cites - old_cites)))
    return changes


def format_changes(changes: list[RowChange]) -> str:
    if not changes:
        return "no row changed status or citations\n"
    lines = [f"{len(changes)} row(s) changed:"]
    for c in changes:
        where = c.new_row if c.new_row is not None else c.old_row
        detail = []
        if c.removed_citations:
            detail.append("- " + ", ".join(c.removed_citations))
        if c.added_citations:
            detail.append("+ " + ", ".join(c.added_citations))
        lines.append(f"  {c.key} (row {where}): {c.old_status or 'absent'} -> "
                     f"{c.new_status or 'absent'}" + (f"  [{'; '.join(detail)}]"
                                                      if detail else ""))
    return "\n".join(lines) + "\n"
