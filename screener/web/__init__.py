"""The web app for compliance officers: `screener serve` (FastAPI, server-rendered pages)."""

from .app import WebSettings, create_app

__all__ = ["WebSettings", "create_app"]
