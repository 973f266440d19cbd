"""Offices, relations and their fiscal numbers: what the inbox matches returns against.

Tenancy is enforced by the schema, not only by queries: every row carries ``office_id``, and a
fiscal number points at its relation through the pair (relation id, office id), so the database
itself refuses a fiscal number of office A on a relation of office B.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from models.base import Base, TimestampMixin
from models.enums import LegalForm, RelationType, string_enum
from sbr_parser import IdentifierType, normalise_identifier

if TYPE_CHECKING:
    from models.people import RelationContact, RelationGroup, RelationRole
    from models.planner import PlannerRule

__all__ = [
    "FiscalNumber",
    "Office",
    "Product",
    "Relation",
    "RelationAddress",
    "RelationProduct",
    "same_office",
]


def same_office(
    column: str, table: str, *, ondelete: str | None = "CASCADE"
) -> ForeignKeyConstraint:
    """A foreign key through (``column``, office_id) to (``table``.id, ``table``.office_id).

    The tenant-safe reference: the database refuses a row pointing at another office's row.
    The target table declares ``UniqueConstraint("id", "office_id")`` for it. A nullable
    ``column`` is not checked while NULL (MATCH SIMPLE on both backends); such references use
    ``ondelete=None`` because SET NULL would also null the row's own ``office_id``.
    """
    return ForeignKeyConstraint(
        [column, "office_id"], [f"{table}.id", f"{table}.office_id"], ondelete=ondelete
    )


class Office(TimestampMixin, Base):
    """An accounting office (kantoor): the tenant every other row belongs to."""

    __tablename__ = "office"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")


class Relation(TimestampMixin, Base):
    """A client dossier (relatie), with the client-record fields of every relation type."""

    __tablename__ = "relation"
    __table_args__ = (
        UniqueConstraint("office_id", "number"),
        # The target of the tenant-safe composite foreign keys below.
        UniqueConstraint("id", "office_id"),
        same_office("group_id", "relation_group", ondelete=None),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(32))
    group_id: Mapped[int | None] = mapped_column(Integer, index=True)
    type: Mapped[RelationType] = mapped_column(string_enum(RelationType, "relation_type"))
    memo: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(100))
    # Organisation-like (organisation, internal, supplier)
    name: Mapped[str | None] = mapped_column(String(200))
    legal_form: Mapped[LegalForm | None] = mapped_column(string_enum(LegalForm, "legal_form"))
    employee_count: Mapped[int | None] = mapped_column(Integer)
    founding_date: Mapped[dt.date | None] = mapped_column(Date)
    kvk_number: Mapped[str | None] = mapped_column(String(8))
    industry: Mapped[str | None] = mapped_column(String(200))
    # Person
    display_name: Mapped[str | None] = mapped_column(String(200))
    initials: Mapped[str | None] = mapped_column(String(20))
    first_names: Mapped[str | None] = mapped_column(String(200))
    last_name: Mapped[str | None] = mapped_column(String(200))
    nickname: Mapped[str | None] = mapped_column(String(100))
    birthplace: Mapped[str | None] = mapped_column(String(100))
    marital_status: Mapped[str | None] = mapped_column(String(50))
    # Contact details
    phone: Mapped[str | None] = mapped_column(String(50))
    mobile: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(254))
    invoice_email: Mapped[str | None] = mapped_column(String(254))

    fiscal_numbers: Mapped[list[FiscalNumber]] = relationship(
        back_populates="relation", cascade="all, delete-orphan", order_by="FiscalNumber.id"
    )
    addresses: Mapped[list[RelationAddress]] = relationship(
        back_populates="relation", cascade="all, delete-orphan", order_by="RelationAddress.kind"
    )
    products: Mapped[list[RelationProduct]] = relationship(
        back_populates="relation", cascade="all, delete-orphan", order_by="RelationProduct.id"
    )
    group: Mapped[RelationGroup | None] = relationship(
        primaryjoin="Relation.group_id == RelationGroup.id", foreign_keys="Relation.group_id"
    )
    contact_links: Mapped[list[RelationContact]] = relationship(
        back_populates="relation", cascade="all, delete-orphan", order_by="RelationContact.id"
    )
    roles: Mapped[list[RelationRole]] = relationship(
        back_populates="relation", cascade="all, delete-orphan", order_by="RelationRole.id"
    )
    planner_rules: Mapped[list[PlannerRule]] = relationship(
        primaryjoin="Relation.id == PlannerRule.relation_id",
        foreign_keys="PlannerRule.relation_id",
        cascade="all, delete-orphan",
        order_by="PlannerRule.id",
    )


class RelationAddress(Base):
    """One of a relation's addresses: ``visiting``, ``postal`` or ``invoice``."""

    __tablename__ = "relation_address"
    __table_args__ = (
        UniqueConstraint("relation_id", "kind"),
        same_office("relation_id", "relation"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    relation_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    street: Mapped[str | None] = mapped_column(String(200))
    house_number: Mapped[str | None] = mapped_column(String(20))
    postcode: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))

    relation: Mapped[Relation] = relationship(back_populates="addresses")


class FiscalNumber(TimestampMixin, Base):
    """A fiscal number (OB-nummer, BSN/RSIN, loonheffingennummer) with its own SBR settings.

    ``normalised`` is derived from ``value`` and ``type`` with the parser's own
    :func:`sbr_parser.normalise_identifier`, so what staff enter and what a message carries are
    compared in the same form. The (office, type, normalised) index makes the matching lookup one
    index probe whatever the office's size. A relation holds a number once: a second row for the
    same (type, normalised) would be exported twice, and the document would then be refused by
    its own import and by every edit (migration 0013 repaired the doubles made before).
    """

    __tablename__ = "fiscal_number"
    __table_args__ = (
        same_office("relation_id", "relation"),
        Index("ix_fiscal_number_lookup", "office_id", "type", "normalised"),
        UniqueConstraint("relation_id", "type", "normalised"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    relation_id: Mapped[int] = mapped_column(Integer, index=True)
    type: Mapped[IdentifierType] = mapped_column(string_enum(IdentifierType, "fiscal_number_type"))
    value: Mapped[str] = mapped_column(String(32))
    normalised: Mapped[str] = mapped_column(String(32))
    sbr_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    sbr_start_date: Mapped[dt.date | None] = mapped_column(Date)
    sbr_ideal: Mapped[bool] = mapped_column(Boolean, default=False)

    relation: Mapped[Relation] = relationship(back_populates="fiscal_numbers")

    @validates("value", "type")
    def _keep_normalised(self, key: str, new: str) -> str:
        value = new if key == "value" else self.value
        kind = IdentifierType(new) if key == "type" else self.type
        if value is not None and kind is not None:
            self.normalised = normalise_identifier(kind, value)
        return new


class Product(TimestampMixin, Base):
    """A service of the office's catalogue (``models.catalogue``): the kinds it covers."""

    __tablename__ = "product"
    __table_args__ = (UniqueConstraint("office_id", "code"), UniqueConstraint("id", "office_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    # Lists of codes, kept as JSON so the catalogue stays data on both backends.
    kinds: Mapped[list[str]] = mapped_column(JSON)
    periods: Mapped[list[str]] = mapped_column(JSON)
    deadline_rule: Mapped[str] = mapped_column(String(64))

    def covers(self, kind: str) -> bool:
        """Whether a return of ``kind`` belongs to this product."""
        return kind in self.kinds


class RelationProduct(TimestampMixin, Base):
    """A relation's use of a product: active or not, and with which period length."""

    __tablename__ = "relation_product"
    __table_args__ = (
        UniqueConstraint("relation_id", "product_id"),
        same_office("relation_id", "relation"),
        same_office("product_id", "product"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    relation_id: Mapped[int] = mapped_column(Integer, index=True)
    product_id: Mapped[int] = mapped_column(Integer, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    period: Mapped[str | None] = mapped_column(String(16))

    relation: Mapped[Relation] = relationship(back_populates="products")
    # Joined on the id alone: office_id is written through the relation; the composite foreign
    # key still makes the database refuse another office's product.
    product: Mapped[Product] = relationship(
        primaryjoin="RelationProduct.product_id == Product.id",
        foreign_keys="RelationProduct.product_id",
    )
