"""Uploads and their reports, held in memory only (never written to disk by screener)."""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from ..readers import UploadedFile
from ..report import Report


@dataclass
class Upload:
    token: str
    file: UploadedFile
    delimiter: str | None = None
    sheet: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    report: Report | None = None
    seconds: float | None = None


class UploadStore:
    """The most recent uploads of this server process (oldest dropped beyond `limit`)."""

    def __init__(self, limit: int = 20):
        self.limit = limit
        self._items: OrderedDict[str, Upload] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, file: UploadedFile) -> Upload:
        upload = Upload(secrets.token_urlsafe(12), file)
        with self._lock:
            self._items[upload.token] = upload
            while len(self._items) > self.limit:
                self._items.popitem(last=False)
        return upload

    def get(self, token: str) -> Upload | None:
        with self._lock:
            return self._items.get(token)
