"""Staff edits of one relation, through the same validation and write path as the import.

An edit is "the relation's document, with these keys changed": it is validated as a whole (so a
change can never leave a relation that the import would refuse), written by the same writer (so
it records the same change events and timeline entries), and a change that matters to matching
is therefore seen by the re-decide step however it was made.

Each edit reads the relation locked (``get_relation(..., for_update=True)``) before it builds
the changed document: a second edit of the same relation (a double-submitted form, a colleague)
waits for the first to commit and then changes what the first wrote, instead of writing back a
document read before it (which would add a number twice, or undo the first edit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from crm.errors import InvalidRowsError, NotFoundError, RowError
from crm.export import relation_document
from crm.importer import row_errors
from crm.queries import get_relation
from crm.schema import RelationDoc
from crm.writer import RelationWriter
from models import Office, Relation
from sbr_parser import IdentifierType, normalise_identifier

__all__ = [
    "add_product",
    "put_fiscal_number",
    "remove_fiscal_number",
    "set_sbr_settings",
    "update_relation",
    "write_relation",
]


def write_relation(
    session: Session, office: Office, data: Mapping[str, Any], *, source: str
) -> Relation:
    """Validate one relation document and create or update its relation; returns it."""
    number = data.get("number")
    try:
        doc = RelationDoc.model_validate(data)
    except ValidationError as exc:
        raise InvalidRowsError(
            row_errors(exc, None, number if isinstance(number, str) else None)
        ) from None
    writer = RelationWriter(session, office, source)
    problems = writer.problems([(None, doc)])
    if problems:
        raise InvalidRowsError(problems)
    writer.write([doc])
    return get_relation(session, office, doc.number)


def update_relation(
    session: Session,
    office: Office,
    number: str,
    changes: Mapping[str, Any],
    *,
    source: str = "staff",
) -> Relation:
    """Change the given document keys of relation ``number`` (see :mod:`crm.schema`)."""
    if "number" in changes and changes["number"] != number:
        raise InvalidRowsError(
            [RowError(None, number, "number", "a relation's number cannot be changed by an edit")]
        )
    data = {**_document_for_edit(session, office, number), **changes}
    return write_relation(session, office, data, source=source)


def _document_for_edit(session: Session, office: Office, number: str) -> dict[str, Any]:
    """Relation ``number``'s document, read under its row lock (see the module's docstring)."""
    return relation_document(get_relation(session, office, number, for_update=True))


def _is(entry: Mapping[str, Any], identifier_type: IdentifierType, normalised: str) -> bool:
    """Whether a document's fiscal number entry is this number (in any way of writing it)."""
    return (
        entry["type"] == identifier_type.value
        and normalise_identifier(identifier_type, entry["value"]) == normalised
    )


def set_sbr_settings(
    session: Session,
    office: Office,
    number: str,
    identifier_type: IdentifierType,
    value: str,
    *,
    enabled: bool | None = None,
    start_date: dt.date | None = None,
    ideal: bool | None = None,
    source: str = "staff",
) -> Relation:
    """Switch SBR on or off, move the start date or the iDEAL flag of one fiscal number."""
    changes: dict[str, Any] = {}
    if enabled is not None:
        changes["sbr_enabled"] = enabled
    if start_date is not None:
        changes["sbr_start_date"] = start_date.isoformat()
    if ideal is not None:
        changes["sbr_ideal"] = ideal
    return _change_number(
        session, office, number, identifier_type, value, changes=changes, source=source
    )


def _change_number(
    session: Session,
    office: Office,
    number: str,
    identifier_type: IdentifierType,
    value: str,
    *,
    changes: dict[str, Any],
    source: str,
) -> Relation:
    """Set ``changes`` on one fiscal number of relation ``number``, through the write path."""
    document = _document_for_edit(session, office, number)
    wanted = normalise_identifier(identifier_type, value)
    numbers = document["fiscal_numbers"]
    for entry in numbers:
        if _is(entry, identifier_type, wanted):
            entry.update(changes)
            return update_relation(
                session, office, number, {"fiscal_numbers": numbers}, source=source
            )
    raise NotFoundError(f"relation {number} has no {identifier_type.value} number {value}")


def put_fiscal_number(
    session: Session,
    office: Office,
    number: str,
    identifier_type: IdentifierType,
    value: str,
    *,
    start_date: dt.date | None,
    source: str = "staff",
) -> Relation:
    """Put a fiscal number on relation ``number`` with SBR on from ``start_date``; when it is
    there already, switch SBR on and move the start date instead."""
    document = _document_for_edit(session, office, number)
    wanted = normalise_identifier(identifier_type, value)
    if any(_is(entry, identifier_type, wanted) for entry in document["fiscal_numbers"]):
        return set_sbr_settings(
            session,
            office,
            number,
            identifier_type,
            value,
            enabled=True,
            start_date=start_date,
            source=source,
        )
    entry = {
        "type": identifier_type.value,
        "value": value,
        "sbr_enabled": True,
        "sbr_start_date": None if start_date is None else start_date.isoformat(),
    }
    numbers = [*document["fiscal_numbers"], entry]
    return update_relation(session, office, number, {"fiscal_numbers": numbers}, source=source)


def remove_fiscal_number(
    session: Session,
    office: Office,
    relation_number: str,
    identifier_type: IdentifierType,
    value: str,
    *,
    source: str = "staff",
) -> Relation:
    """Take a fiscal number (in any way of writing it) off relation ``relation_number``.

    Through the same write path as every edit: the change event makes the waiting returns
    with that number be decided again after commit, and the timeline says "Fiscaal nummer ...
    verwijderd". :class:`NotFoundError` when the relation does not hold the number.
    """
    document = _document_for_edit(session, office, relation_number)
    wanted = normalise_identifier(identifier_type, value)
    numbers = document["fiscal_numbers"]
    kept = [entry for entry in numbers if not _is(entry, identifier_type, wanted)]
    if len(kept) == len(numbers):
        raise NotFoundError(
            f"relation {relation_number} has no {identifier_type.value} number {value}"
        )
    return update_relation(
        session, office, relation_number, {"fiscal_numbers": kept}, source=source
    )


def add_product(
    session: Session, office: Office, number: str, code: str, *, source: str = "staff"
) -> Relation:
    """Give relation ``number`` the product ``code`` (active) unless it has it already."""
    document = _document_for_edit(session, office, number)
    codes = [p if isinstance(p, str) else p["code"] for p in document["products"]]
    if code in codes:
        return get_relation(session, office, number)
    products = [*document["products"], code]
    return update_relation(session, office, number, {"products": products}, source=source)


def restore_sbr_settings(
    session: Session,
    office: Office,
    number: str,
    identifier_type: IdentifierType,
    value: str,
    *,
    enabled: bool,
    start_date: dt.date | None,
    source: str = "staff",
) -> Relation:
    """Give one fiscal number exactly these SBR settings, a start date of None included (an
    undone fix puts back what was there, ``inbox.reversal``; :func:`set_sbr_settings` leaves
    what it is not given as it is)."""
    changes = {
        "sbr_enabled": enabled,
        "sbr_start_date": None if start_date is None else start_date.isoformat(),
    }
    return _change_number(
        session, office, number, identifier_type, value, changes=changes, source=source
    )
