"""Intake keys: what a sending program presents to deliver into one office's inbox.

Only a hash is stored. Keys are 256-bit random tokens, so sha256 suffices (no brute-forcing a
password space) and a delivery costs one index lookup. Separate from staff credentials.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.errors import NotFoundError
from crm.tokens import expiry, is_live, new_secret, revoke, secret_digest
from models import IntakeKey, Office

__all__ = [
    "create_intake_key",
    "intake_key_of",
    "list_intake_keys",
    "office_for_intake_key",
    "revoke_intake_key",
]


def create_intake_key(
    session: Session, office: Office, *, expires_in: dt.timedelta | None = None
) -> str:
    """A new key for ``office``; shown once, stored hashed; optionally expiring."""
    key = new_secret("sbrk_")
    session.add(
        IntakeKey(office_id=office.id, key_hash=secret_digest(key), expires_at=expiry(expires_in))
    )
    session.flush()
    return key


def list_intake_keys(session: Session, office: Office) -> Sequence[IntakeKey]:
    """The office's keys, live and dead, oldest first (digests only)."""
    return session.scalars(
        select(IntakeKey).where(IntakeKey.office_id == office.id).order_by(IntakeKey.id)
    ).all()


def revoke_intake_key(session: Session, office: Office, key_id: int) -> IntakeKey:
    """Revoke one of the office's keys by id: deliveries with it are refused from now on."""
    key = session.scalar(
        select(IntakeKey).where(IntakeKey.id == key_id, IntakeKey.office_id == office.id)
    )
    if key is None:
        raise NotFoundError(f"office {office.code} has no intake key {key_id}")
    revoke(session, key)
    return key


def office_for_intake_key(session: Session, office_code: str, key: str | None) -> Office | None:
    """The office ``office_code`` if ``key`` is a live key of it, else None."""
    found = intake_key_of(session, office_code, key)
    return None if found is None else found[0]


def intake_key_of(session: Session, office_code: str, key: str | None) -> tuple[Office, int] | None:
    """The office ``office_code`` and the id of ``key`` if it is a live key of it (the id is
    what the key's quota is counted on, inbox.quota), else None."""
    if not key:
        return None
    row = session.execute(
        select(Office, IntakeKey.id)
        .join(IntakeKey, IntakeKey.office_id == Office.id)
        .where(
            Office.code == office_code,
            IntakeKey.key_hash == secret_digest(key),
            is_live(session, IntakeKey),
        )
    ).first()
    return None if row is None else (row[0], row[1])
