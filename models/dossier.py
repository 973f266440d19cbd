"""A relation's dossier (folder tree) and timeline.

A folder's name is unique among its siblings. Names are free text: the standard
"UBO/Due Diligence" contains a slash, so the tree is kept by ``parent_id`` rather than by
slash-joined paths. Top-level folders have no parent, and NULLs are distinct in a unique
constraint on both backends, so a partial unique index guards their names.
``client_visible`` decides whether the client portal shows a folder.
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
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.crm import same_office

__all__ = ["DossierFolder", "TimelineEvent"]


class DossierFolder(Base):
    """One folder of a relation's dossier."""

    __tablename__ = "dossier_folder"
    __table_args__ = (
        UniqueConstraint("relation_id", "parent_id", "name"),
        Index(
            "uq_dossier_folder_top_level_name",
            "relation_id",
            "name",
            unique=True,
            sqlite_where=text("parent_id IS NULL"),
            postgresql_where=text("parent_id IS NULL"),
        ),
        same_office("relation_id", "relation"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    relation_id: Mapped[int] = mapped_column(Integer)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("dossier_folder.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    client_visible: Mapped[bool] = mapped_column(Boolean, default=False)


class TimelineEvent(Base):
    """Something that happened on a relation (tijdlijn), shown newest first."""

    __tablename__ = "timeline_event"
    __table_args__ = (
        same_office("relation_id", "relation"),
        Index("ix_timeline_event_relation_at", "relation_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    relation_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    kind: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    # Ids of what the event is about ({"return_id": 12}), for links; never the data itself.
    refs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Document(Base):
    """A document in a relation's dossier folder; a filed return points at its return."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("return_id"),
        same_office("relation_id", "relation"),
        Index("ix_document_folder", "folder_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    relation_id: Mapped[int] = mapped_column(Integer, index=True)
    folder_id: Mapped[int] = mapped_column(ForeignKey("dossier_folder.id", ondelete="CASCADE"))
    return_id: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(500))
    client_visible: Mapped[bool] = mapped_column(Boolean, default=False)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
