"""The transactional outbox, dossier documents and intake keys.

* ``outbox``: a task to send, written in the same transaction as the decision that wants it,
  and marked sent after the broker took it. A crash between commit and send leaves an unsent
  row, which the sweeper sends: the decision and its effects cannot part ways.
* ``document``: a file in a relation's dossier; a filed return is one, unique per return, which
  makes filing idempotent.
* ``intake_key``: a per-office key for the HTTP intake (stored hashed; separate from staff
  credentials).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.crm import same_office

__all__ = ["ApiToken", "Document", "IntakeKey", "OutboxMessage", "StaffUser"]


class OutboxMessage(Base):
    """One task to publish after commit: name and ids, never payloads."""

    __tablename__ = "outbox"
    __table_args__ = (
        # One effect per return and task: a decision retried cannot enqueue it twice.
        UniqueConstraint("task", "return_id"),
        Index("ix_outbox_unsent", "sent_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    task: Mapped[str] = mapped_column(String(100))
    return_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class Document(Base):
    """A document in a relation's dossier folder; a filed return points at its return."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("return_id"),
        same_office("relation_id", "relation"),
        Index("ix_document_folder", "folder_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    relation_id: Mapped[int] = mapped_column(Integer)
    folder_id: Mapped[int] = mapped_column(ForeignKey("dossier_folder.id", ondelete="CASCADE"))
    return_id: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(500))
    client_visible: Mapped[bool] = mapped_column(Boolean, default=False)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class IntakeKey(Base):
    """A key that lets a program deliver messages to one office's inbox."""

    __tablename__ = "intake_key"
    __table_args__ = (UniqueConstraint("key_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    # sha256 of the key: a key is long and random, so a fast hash is enough, and lookup by it
    # is one index probe (a slow password hash would make every delivery slow).
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class StaffUser(Base):
    """A member of an office's staff who can sign in to the review API and page."""

    __tablename__ = "staff_user"
    __table_args__ = (UniqueConstraint("email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    # argon2id (argon2-cffi): a slow, salted hash; never the password.
    password_hash: Mapped[str] = mapped_column(String(200))
    # Signed into every page session; raising it (sign-out, new password, `staff sign-out`)
    # ends all of the member's sessions at their next request.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class ApiToken(Base):
    """A bearer token of a staff member (stored as sha256: it is long and random)."""

    __tablename__ = "api_token"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
