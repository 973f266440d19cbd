"""Offices (the tenants): find one by code, or create it with its product catalogue."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.errors import CrmError, NotFoundError
from models import Office, seed_products

__all__ = ["add_office", "ensure_office", "get_office", "resolve_office"]


def get_office(session: Session, code: str) -> Office:
    """The office with ``code``, or :class:`NotFoundError` naming it."""
    office = session.scalar(select(Office).where(Office.code == code))
    if office is None:
        raise NotFoundError(f"no office {code!r}; create it with `sbr-inbox office add {code}`")
    return office


def ensure_office(session: Session, code: str, name: str | None = None) -> Office:
    """The office with ``code``, created with its seeded catalogue when it does not exist."""
    office = session.scalar(select(Office).where(Office.code == code))
    if office is None:
        office = Office(code=code, name=name or code)
        session.add(office)
        session.flush()
        seed_products(session, office)
    return office


def add_office(session: Session, code: str, name: str | None = None) -> Office:
    """Create a new office; refuses a code that is taken."""
    if session.scalar(select(Office.id).where(Office.code == code)) is not None:
        raise CrmError(f"office {code!r} exists already")
    return ensure_office(session, code, name)


def resolve_office(session: Session, code: str | None) -> Office:
    """``code``'s office; without a code, the only office there is (else a clear error)."""
    if code is not None:
        return get_office(session, code)
    count = session.scalar(select(func.count()).select_from(Office)) or 0
    if count != 1:
        raise CrmError(
            "no office yet: import relations or run `sbr-inbox office add CODE`"
            if count == 0
            else f"there are {count} offices: say which with --office CODE"
        )
    return session.scalars(select(Office)).one()
