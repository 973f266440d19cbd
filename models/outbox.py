"""The transactional outbox: a task to send, written in the same transaction as the decision
that wants it, and marked sent after the broker took it. A crash between commit and send leaves
an unsent row, which the sweeper sends: the decision and its effects cannot part ways. An effect
that keeps failing is parked with its error (``failed_at``), visible to staff and in metrics.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

__all__ = ["OutboxMessage"]


class OutboxMessage(Base):
    """One task to publish after commit: name and ids, never payloads."""

    __tablename__ = "outbox"
    __table_args__ = (
        # One effect per return and task: a decision retried cannot enqueue it twice.
        UniqueConstraint("task", "return_id"),
        Index("ix_outbox_unsent", "sent_at", "id"),
        # The effects not done yet, and only those: the sweeper's look for stale ones reads
        # this small index, not a table that grows by two rows per placed return.
        Index(
            "ix_outbox_pending",
            "id",
            sqlite_where=text("done_at IS NULL"),
            postgresql_where=text("done_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    task: Mapped[str] = mapped_column(String(100))
    return_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: Times the sweeper re-sent it.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: Times running it failed with an unexpected error (issue 22): at ``SBR_INBOX_MAX_ATTEMPTS``
    #: it is parked (``failed_at``) with its error, and neither retried nor re-sent again.
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(500))
