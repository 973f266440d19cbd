"""Reading an office's CRM data. Every function takes the office and filters by it first.

This module is the tenancy boundary for reads: ``tests/crm/test_tenancy.py`` calls every name in
``__all__`` with two offices holding identical data and fails if one returns the other's rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import QueryableAttribute, Session, selectinload

from crm.errors import NotFoundError
from models import (
    Contact,
    Document,
    DossierFolder,
    FiscalNumber,
    Office,
    PlannerRule,
    Relation,
    RelationContact,
    RelationProduct,
    RelationRole,
    TimelineEvent,
)
from models.paging import Keyset, Page
from sbr_parser import IdentifierType

_Select = TypeVar("_Select", bound=Select[Any])

__all__ = [
    "contacts",
    "document_page",
    "documents",
    "dossier_folders",
    "fiscal_numbers_by_value",
    "get_contact",
    "get_relation",
    "relations",
    "relations_by_numbers",
    "search_relations",
    "shared_fiscal_numbers",
    "timeline",
    "timeline_page",
]

# A relation's documents and timeline, newest first, by id: a timeline line's ``at`` is a
# server default, which SQLite writes in a form its cursor could not compare (models.paging).
_NEWEST_FIRST_DOCUMENTS = Keyset((Document.id,), descending=True)
_NEWEST_FIRST_EVENTS = Keyset((TimelineEvent.id,), descending=True)


def _with_parts(statement: _Select) -> _Select:
    # Everything a relation document holds, in one query per collection (no N+1).
    return statement.options(
        selectinload(Relation.fiscal_numbers),
        selectinload(Relation.addresses),
        selectinload(Relation.products).joinedload(RelationProduct.product),
        selectinload(Relation.contact_links).joinedload(RelationContact.contact),
        selectinload(Relation.roles).joinedload(RelationRole.member),
        selectinload(Relation.group),
        selectinload(Relation.planner_rules).joinedload(PlannerRule.product),
    )


def _locked(statement: _Select) -> _Select:
    """``statement`` taking the relations' row locks, and reading them and their parts anew.

    Every edit of a relation reads its document, changes it and writes it back: two edits at
    once would both read the same state and one would undo the other (or both add the same
    number). The lock makes the second wait for the first's commit, then read what it wrote
    (``populate_existing``: not what this session loaded before). ``FOR NO KEY UPDATE``, not
    ``FOR UPDATE``: rows that merely point at the relation (a workflow, a document) are still
    written meanwhile. SQLite has no row locks; its writers take turns on the whole file.
    """
    return statement.with_for_update(key_share=True, of=Relation).execution_options(
        populate_existing=True
    )


def get_relation(
    session: Session, office: Office, number: str, *, for_update: bool = False
) -> Relation:
    """The office's relation ``number`` with all its parts, or :class:`NotFoundError`;
    ``for_update``: locked until the transaction ends, for an edit (see :func:`_locked`)."""
    statement = _with_parts(select(Relation)).where(
        Relation.office_id == office.id, Relation.number == number
    )
    relation = session.scalar(_locked(statement) if for_update else statement)
    if relation is None:
        raise NotFoundError(f"office {office.code!r} has no relation {number!r}")
    return relation


def relations(session: Session, office: Office) -> Iterator[Relation]:
    """All the office's relations with their parts, oldest first, fetched 1,000 at a time."""
    yield from session.scalars(
        _with_parts(select(Relation))
        .where(Relation.office_id == office.id)
        .order_by(Relation.id)
        .execution_options(yield_per=1000)
    )


def relation_matches(pattern: str) -> ColumnElement[bool]:
    """A relation whose number, name, display name, last name or KvK number contains
    ``pattern`` (case-insensitive).

    A condition, not a query (so not in ``__all__``, whose functions the tenancy test calls):
    the relation search here and the return search in ``inbox.queries`` both use it.
    """
    typed = pattern.strip()
    return or_(
        *(
            contains_text(column, typed)
            for column in (
                Relation.number,
                Relation.name,
                Relation.display_name,
                Relation.last_name,
                Relation.kvk_number,
            )
        )
    )


def contains_text(column: QueryableAttribute[Any], typed: str) -> ColumnElement[bool]:
    """``column`` contains ``typed`` (case-insensitive) exactly as typed: ``%`` and ``_`` are
    characters to find, not LIKE's wildcards (a search for "%" must not list everything).

    The one text search of the staff's search boxes (here and ``inbox.queries``); like
    :func:`relation_matches` a condition, not a query.
    """
    return column.icontains(typed, autoescape=True)


def search_relations(
    session: Session, office: Office, query: str | None, limit: int = 50
) -> Sequence[Relation]:
    """The office's relations matching ``query`` (all when empty), by number."""
    statement = select(Relation).where(Relation.office_id == office.id)
    if query:
        statement = statement.where(relation_matches(query))
    return session.scalars(statement.order_by(Relation.number).limit(limit)).all()


def relations_by_numbers(
    session: Session, office: Office, numbers: Sequence[str], *, for_update: bool = False
) -> dict[str, Relation]:
    """The office's relations among ``numbers`` (missing ones are absent), with their parts;
    ``for_update``: locked, in id order (so two writers cannot each hold one the other needs)."""
    found: dict[str, Relation] = {}
    # Chunked: a bound-parameter list has limits (SQLite: 32,766), imports have 100,000 rows.
    for start in range(0, len(numbers), 1000):
        chunk = numbers[start : start + 1000]
        statement = (
            _with_parts(select(Relation))
            .where(Relation.office_id == office.id, Relation.number.in_(chunk))
            .order_by(Relation.id)
        )
        found.update(
            (relation.number, relation)
            for relation in session.scalars(_locked(statement) if for_update else statement)
        )
    return found


def fiscal_numbers_by_value(
    session: Session, office: Office, identifier_type: IdentifierType, normalised: str
) -> Sequence[FiscalNumber]:
    """The office's fiscal numbers of a type with this normalised value: one index probe."""
    return session.scalars(
        select(FiscalNumber)
        .where(
            FiscalNumber.office_id == office.id,
            FiscalNumber.type == identifier_type,
            FiscalNumber.normalised == normalised,
        )
        .order_by(FiscalNumber.id)
    ).all()


def shared_fiscal_numbers(session: Session, office: Office) -> dict[tuple[str, str], list[str]]:
    """Fiscal numbers on more than one of the office's relations, with those relations' numbers.

    Allowed (a BSN copied from an organisation to its owner's person relation), but worth a
    warning: such a return is ``ambiguous`` unless SBR settings or relation types tell them apart.
    """
    shared = (
        select(FiscalNumber.type, FiscalNumber.normalised)
        .where(FiscalNumber.office_id == office.id)
        .group_by(FiscalNumber.type, FiscalNumber.normalised)
        .having(func.count(func.distinct(FiscalNumber.relation_id)) > 1)
        .subquery()
    )
    rows = session.execute(
        select(FiscalNumber.type, FiscalNumber.normalised, Relation.number)
        .join(Relation, Relation.id == FiscalNumber.relation_id)
        .join(
            shared,
            (shared.c.type == FiscalNumber.type) & (shared.c.normalised == FiscalNumber.normalised),
        )
        .where(FiscalNumber.office_id == office.id)
        .order_by(FiscalNumber.type, FiscalNumber.normalised, Relation.number)
    )
    result: dict[tuple[str, str], list[str]] = {}
    for identifier_type, normalised, number in rows:
        numbers = result.setdefault((identifier_type.value, normalised), [])
        if number not in numbers:
            numbers.append(number)
    return result


def get_contact(
    session: Session, office: Office, number: str, *, for_update: bool = False
) -> Contact:
    """The office's contact ``number``, or :class:`NotFoundError`; ``for_update``: locked
    until the transaction ends (``FOR NO KEY UPDATE``, as :func:`_locked`)."""
    statement = select(Contact).where(Contact.office_id == office.id, Contact.number == number)
    if for_update:
        statement = statement.with_for_update(key_share=True).execution_options(
            populate_existing=True
        )
    contact = session.scalar(statement)
    if contact is None:
        raise NotFoundError(f"office {office.code!r} has no contact {number!r}")
    return contact


def contacts(session: Session, office: Office) -> Sequence[Contact]:
    """All the office's contacts, by number."""
    return session.scalars(
        select(Contact).where(Contact.office_id == office.id).order_by(Contact.number)
    ).all()


def dossier_folders(session: Session, office: Office, number: str) -> Sequence[DossierFolder]:
    """The folders of the office's relation ``number``, parents before children."""
    return session.scalars(
        select(DossierFolder)
        .join(Relation, Relation.id == DossierFolder.relation_id)
        .where(DossierFolder.office_id == office.id, Relation.number == number)
        .order_by(DossierFolder.parent_id.is_not(None), DossierFolder.id)
    ).all()


def documents(session: Session, office: Office, number: str) -> Sequence[Document]:
    """The documents in the dossier of the office's relation ``number``, newest first."""
    return session.scalars(
        select(Document)
        .join(Relation, Relation.id == Document.relation_id)
        .where(Document.office_id == office.id, Relation.number == number)
        .order_by(Document.id.desc())
    ).all()


def document_page(
    session: Session, office: Office, number: str, *, after: str | None = None, size: int = 50
) -> Page[Document]:
    """A page of the documents in the dossier of the office's relation ``number``, newest
    first, from after the cursor ``after``."""
    statement = (
        select(Document)
        .join(Relation, Relation.id == Document.relation_id)
        .where(Document.office_id == office.id, Relation.number == number)
    )
    rows = session.scalars(_NEWEST_FIRST_DOCUMENTS.paged(statement, after, size)).all()
    return _NEWEST_FIRST_DOCUMENTS.page(rows, size, lambda document: (document.id,))


def timeline(
    session: Session, office: Office, number: str, limit: int = 100
) -> Sequence[TimelineEvent]:
    """The newest events of the office's relation ``number`` first."""
    return timeline_page(session, office, number, size=limit).rows


def timeline_page(
    session: Session, office: Office, number: str, *, after: str | None = None, size: int = 50
) -> Page[TimelineEvent]:
    """A page of the events of the office's relation ``number``, newest first, from after
    the cursor ``after``."""
    statement = (
        select(TimelineEvent)
        .join(Relation, Relation.id == TimelineEvent.relation_id)
        .where(TimelineEvent.office_id == office.id, Relation.number == number)
    )
    rows = session.scalars(_NEWEST_FIRST_EVENTS.paged(statement, after, size)).all()
    return _NEWEST_FIRST_EVENTS.page(rows, size, lambda event: (event.id,))
