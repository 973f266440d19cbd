"""The one query of matching: the office's fiscal numbers equal to the return's, with all the
rules need (relation type, legal form, SBR settings, products) in one round trip.

It is a single SELECT: an index probe on (office, type, normalised) joined to the relation and,
outer, to its products, so its cost does not grow with the office (bench/match.py measures 1,000
against 1,000,000 relations). Core, not ORM objects: the rules want plain data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from matching.codes import RelationType
from matching.decide import Candidate, ProductRef
from models import FiscalNumber, Product, Relation, RelationContact, RelationProduct
from sbr_parser import IdentifierType

__all__ = [
    "LABEL_COLUMNS",
    "find_candidates",
    "find_candidates_many",
    "likely_owners",
    "relation_candidate",
    "relation_label",
]


# The columns relation_label reads, in its order.
LABEL_COLUMNS = (
    Relation.name,
    Relation.display_name,
    Relation.initials,
    Relation.first_names,
    Relation.last_name,
)
# What a candidate needs of its relation and of each of its products, in this order.
_RELATION = (
    Relation.id,
    Relation.number,
    *LABEL_COLUMNS,
    Relation.type,
    Relation.legal_form,
)
_PRODUCT = (
    RelationProduct.active,
    Product.id,
    Product.code,
    Product.kinds,
    RelationProduct.period,
)
_SETTINGS = (
    FiscalNumber.id,
    FiscalNumber.sbr_enabled,
    FiscalNumber.sbr_start_date,
    FiscalNumber.sbr_ideal,
)


def find_candidates(
    session: Session, office_id: int, identifier_type: IdentifierType, normalised: str
) -> list[Candidate]:
    """Every fiscal number of office ``office_id`` of this type and normalised value."""
    key = (identifier_type, normalised)
    return find_candidates_many(session, office_id, [key])[key]


def find_candidates_many(
    session: Session, office_id: int, numbers: Iterable[tuple[IdentifierType, str]]
) -> dict[tuple[IdentifierType, str], list[Candidate]]:
    """The candidates of several (type, normalised) numbers of one office, in one query (a
    batch of returns asks once, not once per return); every asked number is a key."""
    wanted: dict[IdentifierType, set[str]] = {}
    for identifier_type, normalised in numbers:
        wanted.setdefault(identifier_type, set()).add(normalised)
    found: dict[tuple[IdentifierType, str], list[Candidate]] = {
        (identifier_type, normalised): []
        for identifier_type, values in wanted.items()
        for normalised in values
    }
    if not found:
        return found
    statement = (
        _with_products(
            select(*_SETTINGS, *_RELATION, FiscalNumber.type, FiscalNumber.normalised).join(
                Relation, Relation.id == FiscalNumber.relation_id
            )
        )
        .where(
            FiscalNumber.office_id == office_id,
            # Per type an IN list: each is an index probe on (office, type, normalised).
            or_(
                *(
                    and_(FiscalNumber.type == identifier_type, FiscalNumber.normalised.in_(values))
                    for identifier_type, values in wanted.items()
                )
            ),
        )
        .order_by(FiscalNumber.id, Product.code)
    )
    grouped: dict[int, list[Any]] = {}
    for row in session.execute(statement):
        grouped.setdefault(row[0], []).append(row)
    relation_end = len(_SETTINGS) + len(_RELATION)
    for group in grouped.values():
        first = group[0]
        found[(first[relation_end], first[relation_end + 1])].append(
            _candidate(
                [row[len(_SETTINGS) : relation_end] + row[relation_end + 2 :] for row in group],
                enabled=first[1],
                start=first[2],
                ideal=first[3],
            )
        )
    return found


def likely_owners(session: Session, office_id: int, ob_number: str) -> list[Candidate]:
    """Person relations whose BSN is the nine digits of ``ob_number`` (``123456782B01``), then
    the organisations linked to such a person by a shared contact: the likely owners of a sole
    trader's return that matched nobody. Offered, never matched."""
    if len(ob_number) != 12 or not ob_number[:9].isdigit() or ob_number[9] != "B":
        return []
    people = [
        candidate
        for candidate in find_candidates(session, office_id, IdentifierType.BSN_RSIN, ob_number[:9])
        if candidate.relation_type is RelationType.PERSON
    ]
    if not people:
        return []
    person_ids = [person.relation_id for person in people]
    contacts = select(RelationContact.contact_id).where(
        RelationContact.office_id == office_id, RelationContact.relation_id.in_(person_ids)
    )
    linked = session.scalars(
        select(RelationContact.relation_id)
        .where(
            RelationContact.office_id == office_id,
            RelationContact.contact_id.in_(contacts),
            RelationContact.relation_id.not_in(person_ids),
        )
        .distinct()
    ).all()
    businesses = relations_as_candidates(session, office_id, linked)
    return people + sorted(businesses, key=lambda candidate: candidate.relation_number)


def relations_as_candidates(
    session: Session, office_id: int, relation_ids: Sequence[int]
) -> list[Candidate]:
    """The relations as candidates without a fiscal number of theirs (SBR off, no start)."""
    rows = session.execute(
        _with_products(select(*_RELATION))
        .where(Relation.office_id == office_id, Relation.id.in_(relation_ids))
        .order_by(Relation.id, Product.code)
    ).all()
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    return [_candidate(group, enabled=False, start=None, ideal=False) for group in grouped.values()]


def relation_candidate(
    session: Session,
    office_id: int,
    relation_id: int,
    identifier_type: IdentifierType | None,
    normalised: str | None,
) -> Candidate | None:
    """The relation as a candidate for a staff assignment, with its number's iDEAL flag.

    The relation need not hold the return's number: staff may assign on their own knowledge.
    SBR settings do not apply to a staff decision (only rules 3 and 7 do).
    """
    rows = session.execute(
        _with_products(select(*_RELATION))
        .where(Relation.office_id == office_id, Relation.id == relation_id)
        .order_by(Product.code)
    ).all()
    if not rows:
        return None
    ideal = False
    if identifier_type is not None and normalised is not None:
        ideal = bool(
            session.scalar(
                select(FiscalNumber.sbr_ideal).where(
                    FiscalNumber.office_id == office_id,
                    FiscalNumber.relation_id == relation_id,
                    FiscalNumber.type == identifier_type,
                    FiscalNumber.normalised == normalised,
                )
            )
        )
    return _candidate(rows, enabled=True, start=None, ideal=ideal)


def relation_label(
    name: str | None,
    display_name: str | None,
    initials: str | None,
    first_names: str | None,
    last_name: str | None,
) -> str:
    """The name staff know a relation by: its name, display name, or a person's initials and
    last name (``J. Jansen``)."""
    if name:
        return name
    if display_name:
        return display_name
    given = initials or (first_names or "").split(" ")[0]
    return " ".join(part for part in (given, last_name) if part)


def _with_products(statement: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
    return (
        statement.add_columns(*_PRODUCT)
        .outerjoin(RelationProduct, RelationProduct.relation_id == Relation.id)
        .outerjoin(Product, Product.id == RelationProduct.product_id)
    )


def _candidate(
    rows: Sequence[Any], *, enabled: bool, start: dt.date | None, ideal: bool
) -> Candidate:
    """A candidate from rows of (relation columns, product columns), one row per product."""
    first = rows[0]
    width = len(_RELATION)
    return Candidate(
        relation_id=first[0],
        relation_number=first[1],
        relation_name=relation_label(*first[2:7]),
        relation_type=first[7],
        legal_form=first[8],
        sbr_enabled=bool(enabled),
        sbr_start_date=start,
        sbr_ideal=bool(ideal),
        products=tuple(
            ProductRef(
                product_id=product_id,
                code=code,
                kinds=tuple(kinds),
                active=bool(active),
                period=period,
            )
            for active, product_id, code, kinds, period in (row[width:] for row in rows)
            if product_id is not None
        ),
    )
