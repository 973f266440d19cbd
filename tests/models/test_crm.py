"""Offices, relations and fiscal numbers: normal forms and tenancy enforced by the schema."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import FiscalNumber, LegalForm, Office, Relation, RelationType
from sbr_parser import IdentifierType


def _office(session: Session, code: str) -> Office:
    office = Office(code=code, name=code.title())
    session.add(office)
    session.flush()
    return office


def _relation(session: Session, office: Office, number: str) -> Relation:
    relation = Relation(
        office_id=office.id,
        number=number,
        type=RelationType.ORGANISATION,
        name="Jansen Holding B.V.",
        legal_form=LegalForm.BV,
    )
    session.add(relation)
    session.flush()
    return relation


def test_fiscal_number_is_stored_as_entered_and_normalised(session: Session) -> None:
    office = _office(session, "demo")
    relation = _relation(session, office, "1001")
    relation.fiscal_numbers.append(
        FiscalNumber(
            type=IdentifierType.OB,
            value="NL 0010.00044.B37",
            sbr_enabled=True,
            sbr_start_date=dt.date(2024, 12, 31),
        )
    )
    session.commit()
    stored = session.scalars(select(FiscalNumber)).one()
    assert stored.value == "NL 0010.00044.B37"
    assert stored.normalised == "001000044B37"
    assert stored.office_id == office.id  # copied from the relation by the composite key
    stored.value = "12345678"
    stored.type = IdentifierType.BSN_RSIN
    session.flush()
    assert stored.normalised == "012345678"


def test_relation_number_is_unique_per_office_only(session: Session) -> None:
    first, second = _office(session, "a"), _office(session, "b")
    _relation(session, first, "1001")
    _relation(session, second, "1001")  # same number, other office: fine
    with pytest.raises(IntegrityError):
        _relation(session, first, "1001")


def test_schema_refuses_a_fiscal_number_across_offices(session: Session) -> None:
    first, second = _office(session, "a"), _office(session, "b")
    relation = _relation(session, first, "1001")
    session.add(
        FiscalNumber(
            office_id=second.id,
            relation_id=relation.id,
            type=IdentifierType.OB,
            value="001000044B37",
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()


def test_relation_type_and_legal_form_are_checked_by_the_database(session: Session) -> None:
    office = _office(session, "demo")
    with pytest.raises(IntegrityError):
        session.execute(
            text(
                "INSERT INTO relation (office_id, number, type, created_at, updated_at) "
                "VALUES (:office, '9', 'alien', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"office": office.id},
        )
