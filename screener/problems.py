"""Problems found in a rule pack: errors and lint warnings, each with file, line and column."""

from __future__ import annotations

import os
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
        return f"{shown_path(self.file)}:{self.line}:{self.column}: {self.level}: {self.message}"

    def to_dict(self) -> dict:
        return asdict(self)


def shown_path(file: str) -> str:
    """A path relative to the working directory when it lies below it (shorter to read)."""
    try:
        relative = os.path.relpath(file)
    except ValueError:
        return file
    return file if relative.startswith("..") else relative
