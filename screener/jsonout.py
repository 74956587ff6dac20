"""The JSON report, written incrementally: one result per line between a header and a
trailer, so a million-row report is produced with flat memory and is still one JSON
document. The in-memory `Report` is written the same way (render.write_json).

Layout (key order is not part of the contract; a JSON parser sees the same document):

    {"screener_version": ..., "source": ..., "ruleset": {...},
     "results": [
    {...one result...},
    ...
    ],
     "summary": {...}, "precedents": {...}, "ledger": ..., "warnings": [...], "audit": ...}

`ReportHasher` gives the report's sha256 (recorded by the audit log) from the same pieces:
each result's compact JSON in order, then the summary, rule set and warnings.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, TextIO

from pydantic import BaseModel


def _dump(value: Any) -> str:
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_dump(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


class ReportHasher:
    def __init__(self) -> None:
        self._digest = hashlib.sha256()

    def result(self, result_json: str) -> None:
        self._digest.update(result_json.encode() + b"\n")

    def finish(self, summary: BaseModel, ruleset: BaseModel, warnings: list[str]) -> str:
        digest = self._digest.copy()
        digest.update(summary.model_dump_json().encode() + b"\n")
        digest.update(ruleset.model_dump_json().encode() + b"\n")
        digest.update(json.dumps(warnings, ensure_ascii=False).encode())
        return digest.hexdigest()


class JsonReportWriter:
    def __init__(self, out: TextIO):
        self.out = out
        self.count = 0

    def begin(self, screener_version: str, source: str | None, ruleset: BaseModel) -> None:
        self.out.write("{" + f'"screener_version": {_dump(screener_version)}, '
                       f'"source": {_dump(source)},\n "ruleset": {_dump(ruleset)},\n'
                       ' "results": [\n')

    def result(self, result_json: str) -> None:
        self.out.write((",\n" if self.count else "") + result_json)
        self.count += 1

    def end(self, **trailer: Any) -> None:
        self.out.write("\n ],\n")
        parts = [f" {json.dumps(key)}: {_dump(value)}" for key, value in trailer.items()]
        self.out.write(",\n".join(parts) + "\n}\n")
