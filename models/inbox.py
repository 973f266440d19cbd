"""The inbox: received messages, the returns read from them, and their decisions.

* ``raw_message`` keeps each message's bytes once per office, addressed by sha256: a second
  delivery of the same bytes points at the same row instead of storing them again.
* ``inbox_return`` is one delivery: its status (received -> matched / unmatched / rejected /
  duplicate / dismissed), reason, what the parser read, and where it was placed.
* ``return_event`` is the history of decisions: every automatic or staff decision, with time,
  actor, rule and reason, never updated.

Workflows, which returns are placed in, are the planner's (``models.planner``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.crm import same_office
from models.enums import ReturnStatus, string_enum
from sbr_parser import IdentifierType, ReturnKind

__all__ = ["IS_WAITING", "InboxReturn", "RawMessage", "ReturnEvent"]


class RawMessage(Base):
    """The bytes of a delivered message, stored once per office (content-addressed)."""

    __tablename__ = "raw_message"
    __table_args__ = (UniqueConstraint("office_id", "sha256"), UniqueConstraint("id", "office_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class InboxReturn(Base):
    """One delivered message and what became of it."""

    __tablename__ = "inbox_return"
    __table_args__ = (
        UniqueConstraint("id", "office_id"),
        ForeignKeyConstraint(
            ["message_id", "office_id"], ["raw_message.id", "raw_message.office_id"]
        ),
        same_office("relation_id", "relation", ondelete=None),
        same_office("product_id", "product", ondelete=None),
        same_office("workflow_id", "workflow", ondelete=None),
        ForeignKeyConstraint(
            ["duplicate_of_id", "office_id"], ["inbox_return.id", "inbox_return.office_id"]
        ),
        Index("ix_inbox_return_office_status", "office_id", "status"),
        # The waiting returns in id order, and only those: a worker's claim (oldest first,
        # SKIP LOCKED) and the sweeper read this small index, not the whole table's primary
        # key past every decided return (issue 16: 100,000 returns slowed the claim down).
        Index(
            "ix_inbox_return_waiting",
            "id",
            sqlite_where=text("status = 'received'"),
            postgresql_where=text("status = 'received'"),
        ),
        Index("ix_inbox_return_office_sha256", "office_id", "sha256"),
        # Re-deciding after a change finds the office's waiting returns with one number.
        Index(
            "ix_inbox_return_identifier", "office_id", "identifier_type", "identifier_normalised"
        ),
        # Two returns processed at once for one workflow cannot both become version 2.
        UniqueConstraint("workflow_id", "version"),
        # Deleting a return looks up the returns that are a duplicate of it: without this,
        # deleting an office's 60,000 returns read the table once per return (issue 22). Few
        # returns are duplicates, so only those are indexed; the lookup (= a value) implies
        # the condition, and both databases use a partial index for it.
        Index(
            "ix_inbox_return_duplicate_of_id",
            "duplicate_of_id",
            sqlite_where=text("duplicate_of_id IS NOT NULL"),
            postgresql_where=text("duplicate_of_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(Integer, index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[ReturnStatus] = mapped_column(string_enum(ReturnStatus, "return_status"))
    # An unmatched reason (models.enums.UnmatchedReason) or a rejection reason of the parser.
    reason: Mapped[str | None] = mapped_column(String(32))
    explanation_nl: Mapped[str | None] = mapped_column(Text)
    explanation_en: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[ReturnKind | None] = mapped_column(string_enum(ReturnKind, "return_kind"))
    identifier: Mapped[str | None] = mapped_column(String(64))
    identifier_type: Mapped[IdentifierType | None] = mapped_column(
        string_enum(IdentifierType, "return_identifier_type")
    )
    identifier_normalised: Mapped[str | None] = mapped_column(String(64))
    identifier_valid: Mapped[bool | None] = mapped_column(Boolean)
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    taxonomy: Mapped[str | None] = mapped_column(String(500))
    amount_due: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    relation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    product_id: Mapped[int | None] = mapped_column(Integer, index=True)
    workflow_id: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int | None] = mapped_column(Integer)
    duplicate_of_id: Mapped[int | None] = mapped_column(Integer)
    # Set by the effects: the workflow moved to its first step, the return filed in the dossier.
    workflow_started: Mapped[bool] = mapped_column(Boolean, default=False)
    filed: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Processing attempts that failed with an unexpected error; at SBR_INBOX_MAX_ATTEMPTS the
    # return is rejected as `internal` instead of being retried forever.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When the sweeper last re-sent it: it re-sends only returns not sent within the stuck age.
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


#: "Waiting to be decided", with the status written into the SQL rather than bound: PostgreSQL
#: can then use the partial index of waiting returns (ix_inbox_return_waiting) in every plan, a
#: prepared statement's generic plan too, instead of walking past every decided return.
IS_WAITING = InboxReturn.status == bindparam(
    "waiting", ReturnStatus.RECEIVED, type_=InboxReturn.status.type, literal_execute=True
)


class ReturnEvent(Base):
    """One decision in a return's history (append-only)."""

    __tablename__ = "return_event"
    __table_args__ = (
        ForeignKeyConstraint(
            ["return_id", "office_id"],
            ["inbox_return.id", "inbox_return.office_id"],
            ondelete="CASCADE",
        ),
        Index("ix_return_event_return", "return_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    return_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # "system" or "staff:<e-mail>"
    actor: Mapped[str] = mapped_column(String(300))
    # What set the decision off: received, change, assign, dismiss, undo, rerun.
    trigger: Mapped[str] = mapped_column(String(32))
    # The docs/domain.md rule that stopped (1-8), or None for staff actions and rejections.
    rule: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[ReturnStatus] = mapped_column(string_enum(ReturnStatus, "event_status"))
    reason: Mapped[str | None] = mapped_column(String(32))
    remark: Mapped[str | None] = mapped_column(Text)
    explanation_nl: Mapped[str | None] = mapped_column(Text)
    explanation_en: Mapped[str | None] = mapped_column(Text)
    # The relation numbers involved, the change event that triggered it, the state undone, ...
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
