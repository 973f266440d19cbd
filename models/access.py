"""Who may use the inbox: staff users and their API tokens, and the intake keys of sending
programs. Secrets are stored hashed (argon2id for passwords, sha256 for random tokens).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

__all__ = ["ApiToken", "IntakeKey", "StaffUser"]


class IntakeKey(Base):
    """A key that lets a program deliver messages to one office's inbox."""

    __tablename__ = "intake_key"
    __table_args__ = (UniqueConstraint("key_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    # sha256 of the key: a key is long and random, so a fast hash is enough, and lookup by it
    # is one index probe (a slow password hash would make every delivery slow).
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The key's delivery quota (inbox.quota): for each allowance, the moment (Unix seconds)
    # until which it is used up. A delivery may go when that moment, moved on by its cost, is
    # no more than the allowance's period away. None: nothing used.
    deliveries_spent_until: Mapped[float | None] = mapped_column(Float)
    hour_bytes_spent_until: Mapped[float | None] = mapped_column(Float)
    day_bytes_spent_until: Mapped[float | None] = mapped_column(Float)


class StaffUser(Base):
    """A member of an office's staff who can sign in to the review API and page."""

    __tablename__ = "staff_user"
    __table_args__ = (UniqueConstraint("email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    # argon2id (argon2-cffi): a slow, salted hash; never the password.
    password_hash: Mapped[str] = mapped_column(String(200))
    # How often the member's sessions were ended (sign-out, new password, `staff sign-out`);
    # each time also draws a new ``session_secret``, which is what a session must carry.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A random value every page session carries and must match (issue 22, item 5): an id is
    # reused on SQLite and a generation starts at 0 for everyone, so neither alone tells this
    # member from a removed one; ending the sessions draws a new secret.
    session_secret: Mapped[str] = mapped_column(String(64))
    # The team member (``team_member.code``) this staff member is: the planbord's "mijn werk".
    member_code: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class ApiToken(Base):
    """A bearer token of a staff member (stored as sha256: it is long and random)."""

    __tablename__ = "api_token"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
