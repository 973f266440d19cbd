"""Which redirect targets are safe: paths on this site only."""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["local_path"]


def local_path(value: str | None, default: str = "/") -> str:
    """``value`` when it is a path on this site (never another host), else ``default``."""
    if not value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or value.startswith("//"):
        return default
    return parts.path + (f"?{parts.query}" if parts.query else "")
