"""Staff users of an office and their bearer tokens (separate from intake keys).

Passwords are hashed with argon2id (argon2-cffi). Tokens are 256-bit random strings shown once
and stored as sha256, so checking one is a single indexed lookup. A token may expire; revoked
and expired tokens are refused. A member's page sessions carry ``session_secret``, a random
value of this member alone (an id can be reused): signing out, a new password or
``end_sessions`` draw a new one (and raise ``session_generation``), which ends every session at
once; removal takes the member, and so the secret, away.

Each argon2 hash takes ~50 ms of CPU and 64 MiB: at most ``HASH_SLOTS`` run at a time in a
process, so a flood of sign-ins queues (and is refused after ``HASH_WAIT_SECONDS``) instead of
taking the API's memory and every core (the audit saw 1.1 GB and a 7.7 s health check).
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crm.errors import CrmError, NotFoundError
from crm.tokens import expiry, is_live, new_secret, revoke, secret_digest
from models import ApiToken, Office, StaffUser

__all__ = [
    "HashingBusyError",
    "add_staff",
    "check_password",
    "end_sessions",
    "get_staff",
    "issue_token",
    "list_tokens",
    "remove_staff",
    "revoke_token",
    "session_matches",
    "set_password",
    "staff_for_token",
]

_HASHER = PasswordHasher()
MIN_PASSWORD = 10
HASH_SLOTS = 2
HASH_WAIT_SECONDS = 10.0
#: What a page session's secret starts with (never shown; the cookie carries it signed).
SESSION_SECRET_PREFIX = "sbrs_"  # noqa: S105 - a prefix, not a secret
_hash_slots = threading.BoundedSemaphore(HASH_SLOTS)
_T = TypeVar("_T")


class HashingBusyError(CrmError):
    """Too many password checks at once: try again shortly."""


def _hashing(work: Callable[[], _T]) -> _T:
    if not _hash_slots.acquire(timeout=HASH_WAIT_SECONDS):
        raise HashingBusyError("too many sign-ins at once; try again in a moment")
    try:
        return work()
    finally:
        _hash_slots.release()


def _find_staff(session: Session, email: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))


def get_staff(session: Session, email: str) -> StaffUser:
    """The staff member with ``email``, or :class:`NotFoundError`."""
    user = _find_staff(session, email)
    if user is None:
        raise NotFoundError(f"no staff member {email}")
    return user


def _check_length(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise CrmError(f"a password needs at least {MIN_PASSWORD} characters")


def add_staff(
    session: Session, office: Office, email: str, password: str, *, member: str | None = None
) -> StaffUser:
    """A new staff member of ``office`` (``member``: their team member code, for "mijn
    werk"); refuses a taken e-mail or a short password."""
    email = email.strip().lower()
    _check_length(password)
    if session.scalar(select(StaffUser.id).where(StaffUser.email == email)) is not None:
        raise CrmError(f"{email} is a staff member already")
    user = StaffUser(
        office_id=office.id,
        email=email,
        password_hash=_hashing(lambda: _HASHER.hash(password)),
        session_secret=new_secret(SESSION_SECRET_PREFIX),
        member_code=member,
    )
    session.add(user)
    session.flush()
    return user


def check_password(session: Session, email: str, password: str) -> StaffUser | None:
    """The staff member if the password is right, else None (same answer for unknown e-mail)."""
    user = _find_staff(session, email)
    if user is None:
        # Spend the same time: do not reveal which e-mails exist.
        _hashing(lambda: _HASHER.hash(password))
        return None
    stored = user.password_hash

    def verify() -> bool:
        try:
            return _HASHER.verify(stored, password)
        except (VerifyMismatchError, InvalidHashError):
            return False

    return user if _hashing(verify) else None


def set_password(session: Session, email: str, password: str) -> StaffUser:
    """Give the staff member a new password; their page sessions end."""
    _check_length(password)
    user = get_staff(session, email)
    user.password_hash = _hashing(lambda: _HASHER.hash(password))
    return _next_generation(session, user)


def end_sessions(session: Session, email: str) -> StaffUser:
    """End every page session of the staff member (sign-out everywhere)."""
    return _next_generation(session, get_staff(session, email))


def _next_generation(session: Session, user: StaffUser) -> StaffUser:
    # Every session cookie carries the secret it was made with; a new one ends them all.
    user.session_generation += 1
    user.session_secret = new_secret(SESSION_SECRET_PREFIX)
    session.flush()
    return user


def session_matches(user: StaffUser, secret: object) -> bool:
    """Whether a page session carrying ``secret`` is one of ``user``'s live sessions (compared
    in constant time: the answer says nothing about how much of a guess was right)."""
    return isinstance(secret, str) and secrets.compare_digest(
        secret.encode(), user.session_secret.encode()
    )


def remove_staff(session: Session, email: str) -> None:
    """Remove the staff member: their tokens go with them, their sessions end at once.

    Their name stays in the history of the returns they acted on (as text, not a reference).
    """
    user = get_staff(session, email)
    session.execute(delete(ApiToken).where(ApiToken.staff_user_id == user.id))
    session.delete(user)
    session.flush()


def issue_token(session: Session, email: str, *, expires_in: dt.timedelta | None = None) -> str:
    """A new bearer token for the staff member with ``email`` (shown once)."""
    user = get_staff(session, email)
    token = new_secret("sbrt_")
    session.add(
        ApiToken(
            staff_user_id=user.id, token_hash=secret_digest(token), expires_at=expiry(expires_in)
        )
    )
    session.flush()
    return token


def list_tokens(session: Session, email: str) -> Sequence[ApiToken]:
    """The staff member's tokens, live and dead, oldest first (digests only, never tokens)."""
    user = get_staff(session, email)
    return session.scalars(
        select(ApiToken).where(ApiToken.staff_user_id == user.id).order_by(ApiToken.id)
    ).all()


def revoke_token(session: Session, email: str, token_id: int) -> ApiToken:
    """Revoke one of the staff member's tokens by its id (see :func:`list_tokens`)."""
    user = get_staff(session, email)
    token = session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.staff_user_id == user.id)
    )
    if token is None:
        raise NotFoundError(f"{email} has no token {token_id}")
    revoke(session, token)
    return token


def staff_for_token(session: Session, token: str | None) -> tuple[StaffUser, Office] | None:
    """The staff member and office of a live token, or None."""
    if not token:
        return None
    row = session.execute(
        select(StaffUser, Office)
        .join(ApiToken, ApiToken.staff_user_id == StaffUser.id)
        .join(Office, Office.id == StaffUser.office_id)
        .where(
            ApiToken.token_hash == secret_digest(token),
            is_live(session, ApiToken),
        )
    ).first()
    return None if row is None else (row[0], row[1])
