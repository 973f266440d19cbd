"""Staff users of an office and their bearer tokens (separate from intake keys).

Passwords are hashed with argon2id (argon2-cffi). Tokens are 256-bit random strings shown once
and stored as sha256, so checking one is a single indexed lookup.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.errors import CrmError, NotFoundError
from crm.tokens import new_secret, secret_digest
from models import ApiToken, Office, StaffUser

__all__ = ["add_staff", "check_password", "issue_token", "staff_for_token"]

_HASHER = PasswordHasher()
MIN_PASSWORD = 10


def add_staff(session: Session, office: Office, email: str, password: str) -> StaffUser:
    """A new staff member of ``office``; refuses a taken e-mail or a short password."""
    email = email.strip().lower()
    if len(password) < MIN_PASSWORD:
        raise CrmError(f"a password needs at least {MIN_PASSWORD} characters")
    if session.scalar(select(StaffUser.id).where(StaffUser.email == email)) is not None:
        raise CrmError(f"{email} is a staff member already")
    user = StaffUser(office_id=office.id, email=email, password_hash=_HASHER.hash(password))
    session.add(user)
    session.flush()
    return user


def check_password(session: Session, email: str, password: str) -> StaffUser | None:
    """The staff member if the password is right, else None (same answer for unknown e-mail)."""
    user = session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if user is None:
        _HASHER.hash(password)  # spend the same time: do not reveal which e-mails exist
        return None
    try:
        _HASHER.verify(user.password_hash, password)
    except VerifyMismatchError:
        return None
    return user


def issue_token(session: Session, email: str) -> str:
    """A new bearer token for the staff member with ``email``."""
    user = session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if user is None:
        raise NotFoundError(f"no staff member {email}")
    token = new_secret("sbrt_")
    session.add(ApiToken(staff_user_id=user.id, token_hash=secret_digest(token)))
    session.flush()
    return token


def staff_for_token(session: Session, token: str | None) -> tuple[StaffUser, Office] | None:
    """The staff member and office of a live token, or None."""
    if not token:
        return None
    row = session.execute(
        select(StaffUser, Office)
        .join(ApiToken, ApiToken.staff_user_id == StaffUser.id)
        .join(Office, Office.id == StaffUser.office_id)
        .where(ApiToken.token_hash == secret_digest(token), ApiToken.revoked_at.is_(None))
    ).first()
    return None if row is None else (row[0], row[1])
