"""Saved column mappings: an officer maps a bank's own header names to the canonical columns
once and reuses the mapping on the next upload. Kept in a JSON file the user chose (default:
mappings.json in the user's data directory)."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import platformdirs

from ..transaction import CANONICAL_COLUMNS

_lock = threading.Lock()


def default_mappings_path() -> Path:
    override = os.environ.get("SCREENER_MAPPINGS")
    if override:
        return Path(override)
    return Path(platformdirs.user_data_dir("screener", appauthor=False)) / "mappings.json"


class MappingStore:
    def __init__(self, path: Path):
        self.path = path

    def all(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): {str(a): str(b) for a, b in v.items() if b in CANONICAL_COLUMNS}
                for k, v in data.items() if isinstance(v, dict)}

    def save(self, name: str, mapping: dict[str, str]) -> None:
        with _lock:
            data = self.all()
            data[name] = mapping
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
            tmp.replace(self.path)
