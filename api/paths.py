"""What a path may carry: safe redirect targets (paths on this site only) and the bound of a
row id in a route's path."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field

from inbox.queries import MAX_RETURN_ID

__all__ = ["ID", "local_path"]

#: A return's id in a route's path (or a list of them in a body or form): ids are 32-bit
#: integers in the database, and asking PostgreSQL for a larger one is an error (a 500), not
#: an empty answer, so every route bounds its ids before any query (issue 22, item 9).
ID = Annotated[int, Field(ge=1, le=MAX_RETURN_ID)]


def local_path(value: str | None, default: str = "/") -> str:
    """``value`` when it is a path on this site (never another host), else ``default``."""
    if not value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or value.startswith("//"):
        return default
    return parts.path + (f"?{parts.query}" if parts.query else "")
