"""Opaque secrets (intake keys, API tokens): made here, shown once, stored as their digest.

They are 256-bit random strings, so a fast sha256 suffices (there is no small password space
to search) and checking one is a single indexed lookup of its digest. Both kinds may expire and
be revoked; what "live" means, and revoking, is said here once for both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import Session

from models import ApiToken, IntakeKey
from models.db import utc_ago

__all__ = ["expiry", "is_live", "new_secret", "revoke", "secret_digest"]

Secret = ApiToken | IntakeKey


def expiry(expires_in: dt.timedelta | None) -> dt.datetime | None:
    """When a secret made now stops working (None: never)."""
    return None if expires_in is None else dt.datetime.now(dt.UTC) + expires_in


def is_live(session: Session, model: type[Secret]) -> ColumnElement[bool]:
    """The condition for a row of ``model`` that still works: not revoked, not expired."""
    now = utc_ago(session, dt.timedelta(0))  # the database's notion of a timestamp
    return and_(model.revoked_at.is_(None), or_(model.expires_at.is_(None), model.expires_at > now))


def revoke(session: Session, secret: Secret) -> None:
    """Stop ``secret`` working from now on (once: a second revoke keeps the first time)."""
    if secret.revoked_at is None:
        secret.revoked_at = dt.datetime.now(dt.UTC)
        session.flush()


def new_secret(prefix: str) -> str:
    """A new secret, ``prefix`` first so a leaked one says what it is (``sbrk_``, ``sbrt_``)."""
    return f"{prefix}{secrets.token_urlsafe(32)}"


def secret_digest(secret: str) -> str:
    """What is stored and looked up instead of the secret."""
    return hashlib.sha256(secret.encode()).hexdigest()
