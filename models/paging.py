"""Keyset paging: a page of rows after the last one shown, by a sort key ending in a unique
column, so a page costs the same at row 30,000 as at row 1 and a row added or removed between
two pages moves no other row onto a second page or off all of them (as OFFSET would).

A page's "volgende" link carries a cursor: the sort key of its last row, as URL-safe text.
A cursor is input from the address bar: :func:`Keyset.decode` checks its shape and types and
raises :class:`BadCursorError` for anything else.

The sort key must compare in SQL exactly as its Python values bind. On SQLite a timestamp
written by a server default (``2026-01-01 10:00:00``) sorts before the same moment bound from
Python (``2026-01-01 10:00:00.000000``), so a table ordered by such a column is paged by its id.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, UnaryExpression, literal, tuple_
from sqlalchemy.orm import QueryableAttribute

__all__ = ["BadCursorError", "Keyset", "Page"]

T = TypeVar("T")
# A mapped attribute (``Workflow.id``) or any column expression.
Column = ColumnElement[Any] | QueryableAttribute[Any]
_Select = TypeVar("_Select", bound=Select[Any])
# Long enough for a few dates, codes and ids; a longer cursor is not one we made.
MAX_CURSOR = 400


class BadCursorError(ValueError):
    """A cursor this keyset did not make (edited, truncated, or of another page)."""


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of rows, and the cursor of the next page (None on the last)."""

    rows: list[T]
    next: str | None

    def __iter__(self) -> Iterator[T]:
        return iter(self.rows)


@dataclass(frozen=True)
class Keyset:
    """A sort order for keyset paging: ``columns``, the last of them unique (an id), all
    ascending or all descending (one direction, so one row-value comparison serves)."""

    columns: tuple[Column, ...]
    descending: bool = False

    def order_by(self) -> list[UnaryExpression[Any]]:
        """The ORDER BY of the key."""
        return [column.desc() if self.descending else column.asc() for column in self.columns]

    def paged(self, statement: _Select, cursor: str | None, size: int) -> _Select:
        """``statement`` ordered by the key, from after ``cursor``, one row more than ``size``
        (that row only says whether there is a next page)."""
        if cursor is not None:
            values = self.decode(cursor)
            key = tuple_(*self.columns)
            bound = tuple_(
                *(
                    literal(value, type_=_expression(column).type)
                    for column, value in zip(self.columns, values, strict=True)
                )
            )
            statement = statement.where(key < bound if self.descending else key > bound)
        return statement.order_by(*self.order_by()).limit(size + 1)

    def page(self, rows: Sequence[T], size: int, key: Callable[[T], tuple[Any, ...]]) -> Page[T]:
        """The page of ``rows`` read by :meth:`paged`; ``key`` gives a row's sort key values."""
        shown = list(rows[:size])
        more = len(rows) > size and bool(shown)
        return Page(shown, self.encode(key(shown[-1])) if more else None)

    def encode(self, values: tuple[Any, ...]) -> str:
        """A row's sort key as a cursor."""
        plain = [v.isoformat() if isinstance(v, dt.date | dt.datetime) else v for v in values]
        text = json.dumps(plain, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(text).decode().rstrip("=")

    def decode(self, cursor: str) -> tuple[Any, ...]:
        """The sort key values in ``cursor``, each of its column's type."""
        if len(cursor) > MAX_CURSOR:
            raise BadCursorError("cursor too long")
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            values = json.loads(raw)
        except (binascii.Error, ValueError) as error:
            raise BadCursorError("cursor unreadable") from error
        if not isinstance(values, list) or len(values) != len(self.columns):
            raise BadCursorError("cursor of another key")
        return tuple(
            _typed(value, column) for value, column in zip(values, self.columns, strict=True)
        )


def _expression(column: Column) -> ColumnElement[Any]:
    return column.expression if isinstance(column, QueryableAttribute) else column


def _typed(value: Any, column: Column) -> Any:
    wanted = _expression(column).type.python_type
    try:
        if wanted is dt.datetime and isinstance(value, str):
            return dt.datetime.fromisoformat(value)
        if wanted is dt.date and isinstance(value, str):
            return dt.date.fromisoformat(value)
    except ValueError as error:
        raise BadCursorError("cursor holds no date") from error
    # bool is an int to isinstance; no key column is a bool, and a cursor holding one is not ours.
    if isinstance(value, int) and not -(2**63) < value < 2**63:
        raise BadCursorError("cursor holds an id out of range")
    if isinstance(value, wanted) and not isinstance(value, bool):
        return value
    raise BadCursorError(f"cursor holds a {type(value).__name__}, not a {wanted.__name__}")
