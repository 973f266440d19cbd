"""The declarative base: one metadata with a naming convention, so migrations are stable.

Constraint names are derived from the convention instead of left to each backend, which is
what lets one Alembic history run on PostgreSQL and SQLite and lets ``alembic check`` compare
models and migrations without spurious differences.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import DateTime, MetaData, String, Table, func
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute, Mapped, mapped_column

__all__ = ["Base", "TimestampMixin", "fit", "table_of"]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    """``created_at`` / ``updated_at``, set by the database so every writer agrees on the clock."""

    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


def table_of(model: type[Any]) -> Table:
    """The Core table of a mapped class, for plain executemany inserts of many rows.

    Bulk writers use Core, not ORM bulk inserts: the ORM splits a batch into a statement per
    row whenever consecutive rows differ in which values are NULL.
    """
    return cast(Table, model.__table__)


def fit(column: InstrumentedAttribute[Any], text: str, *, keep_end: int = 0) -> str:
    """``text`` cut to what ``column`` (a ``String(n)``) holds, marked with an ellipsis.

    A derived value (a document name built from a sender's file name, an error message) must
    never be longer than its column: PostgreSQL refuses it, and the statement that carries it
    fails whole (issue 22: one 480-character file name stopped dossier filing for everyone).
    ``keep_end`` keeps that many characters of the end (a closing parenthesis, an extension).
    """
    limit = column.type.length if isinstance(column.type, String) else None
    if limit is None or len(text) <= limit:
        return text
    tail = text[len(text) - keep_end :] if keep_end else ""
    return text[: limit - 1 - len(tail)] + "\u2026" + tail
