"""Intake keys: what a sending program presents to deliver into one office's inbox.

Only a hash is stored. Keys are 256-bit random tokens, so sha256 suffices (no brute-forcing a
password space) and a delivery costs one index lookup. Separate from staff credentials.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.tokens import new_secret, secret_digest
from models import IntakeKey, Office

__all__ = ["create_intake_key", "office_for_intake_key"]


def create_intake_key(session: Session, office: Office) -> str:
    """A new key for ``office``; shown once, stored hashed."""
    key = new_secret("sbrk_")
    session.add(IntakeKey(office_id=office.id, key_hash=secret_digest(key)))
    session.flush()
    return key


def office_for_intake_key(session: Session, office_code: str, key: str | None) -> Office | None:
    """The office ``office_code`` if ``key`` is a live key of it, else None."""
    if not key:
        return None
    return session.scalar(
        select(Office)
        .join(IntakeKey, IntakeKey.office_id == Office.id)
        .where(
            Office.code == office_code,
            IntakeKey.key_hash == secret_digest(key),
            IntakeKey.revoked_at.is_(None),
        )
    )
