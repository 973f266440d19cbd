"""Change events: relation data changed in a way that can change a matching decision.

One row per (relation, fiscal number) the change touches, carrying that number's type and
normalised value, because the matching step re-decides exactly the unmatched returns of the
office with that identifier (docs/domain.md). ``handled_at`` is set by the consumer, so an
event is acted on once even when several workers look.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.enums import ChangeKind, string_enum
from sbr_parser import IdentifierType

__all__ = ["ChangeEvent"]


class ChangeEvent(Base):
    """A change to a fiscal number, its SBR settings, a legal form, a type or a product."""

    __tablename__ = "change_event"
    __table_args__ = (
        Index("ix_change_event_pending", "office_id", "handled_at"),
        Index("ix_change_event_identifier", "office_id", "identifier_type", "normalised"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    # No foreign key: the event outlives a deleted relation (deleting one is a change too).
    relation_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[ChangeKind] = mapped_column(string_enum(ChangeKind, "change_kind"))
    identifier_type: Mapped[IdentifierType] = mapped_column(
        string_enum(IdentifierType, "change_identifier_type")
    )
    normalised: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    handled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
