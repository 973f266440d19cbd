"""The product catalogue is seeded per office, idempotently, and says which kinds it covers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import (
    CATALOGUE,
    Office,
    Product,
    Relation,
    RelationProduct,
    RelationType,
    seed_products,
)
from sbr_parser import ReturnKind


def _office(session: Session, code: str) -> Office:
    office = Office(code=code, name=code)
    session.add(office)
    session.flush()
    return office


def test_every_return_kind_is_covered_by_exactly_one_product() -> None:
    covered = [kind for spec in CATALOGUE for kind in spec.kinds]
    assert sorted(covered) == sorted(ReturnKind)


def test_seeding_is_per_office_and_idempotent(session: Session) -> None:
    first, second = _office(session, "a"), _office(session, "b")
    products = seed_products(session, first)
    assert [p.code for p in products] == [spec.code for spec in CATALOGUE]
    assert seed_products(session, first) == products
    seed_products(session, second)
    session.commit()
    counts = dict(
        session.execute(select(Product.office_id, func.count()).group_by(Product.office_id)).all()
    )
    assert counts == {first.id: len(CATALOGUE), second.id: len(CATALOGUE)}
    ob = next(p for p in products if p.code == "aangifte_ob")
    assert ob.covers("OB_SUPPLETIE")
    assert not ob.covers("ICP")


def test_relation_cannot_use_another_offices_product(session: Session) -> None:
    first, second = _office(session, "a"), _office(session, "b")
    foreign_product = seed_products(session, second)[0]
    relation = Relation(office_id=first.id, number="1", type=RelationType.PERSON, last_name="J")
    session.add(relation)
    session.flush()
    session.add(
        RelationProduct(office_id=first.id, relation_id=relation.id, product_id=foreign_product.id)
    )
    with pytest.raises(IntegrityError):
        session.flush()
