"""Problems found in a rule pack: errors and lint warnings, each with file, line and column."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int  # 1-based; 0 when the problem concerns the whole file
    column: int
    level: Level
    code: str  # e.g. "unknown-key", "duplicate-id", or a lint id such as "no-precedent"
    message: str
    rule_id: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.level}: {self.message}"

    def to_dict(self) -> dict:
        return asdict(self)
