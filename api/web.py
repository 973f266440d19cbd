"""The staff page's routes (``api.pages``) and its stylesheet, for the app to mount."""

from __future__ import annotations

from pathlib import Path

from fastapi.staticfiles import StaticFiles

from api.pages import router

__all__ = ["STATIC", "router", "static_files"]

STATIC = Path(__file__).parent / "static"


def static_files() -> StaticFiles:
    """The page's own stylesheet (no CDN, no build step)."""
    return StaticFiles(directory=STATIC)
