"""Errors of the CRM service functions, each with a message fit to show a user."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AlreadyExistsError", "CrmError", "InvalidRowsError", "NotFoundError", "RowError"]


class CrmError(Exception):
    """Base class: something a user asked for cannot be done, and the message says why."""


class NotFoundError(CrmError):
    """An office, relation or contact that does not exist (in this office)."""


class AlreadyExistsError(CrmError):
    """What was to be made was made meanwhile by another request (a double-submitted form,
    two members at once); ``dutch`` says so for the staff page."""

    def __init__(self, message: str, dutch: str) -> None:
        super().__init__(message)
        self.dutch = dutch


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of one relation row: its index in the file, its number and the field;
    ``dutch``, where given, says it for the staff page."""

    index: int | None
    number: str | None
    field: str
    message: str
    dutch: str | None = None

    def __str__(self) -> str:
        where = "file" if self.index is None else f"row {self.index}"
        number = f" (relation {self.number})" if self.number else ""
        return f"{where}{number}, {self.field or '-'}: {self.message}"


class InvalidRowsError(CrmError):
    """The import changed nothing because these rows are invalid."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s); nothing was imported")
