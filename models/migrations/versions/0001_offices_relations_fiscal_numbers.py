"""Offices, relations with addresses, and fiscal numbers with their SBR settings.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 09:50:22.017712
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "office",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office")),
        sa.UniqueConstraint("code", name=op.f("uq_office_code")),
    )
    op.create_table(
        "relation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "organisation",
                "person",
                "internal",
                "supplier",
                name="relation_type",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("memo", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column(
            "legal_form",
            sa.Enum(
                "eenmanszaak",
                "vof",
                "cv",
                "maatschap",
                "bv",
                "nv",
                "cooperatie",
                "stichting",
                "vereniging",
                "other",
                name="legal_form",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("employee_count", sa.Integer(), nullable=True),
        sa.Column("founding_date", sa.Date(), nullable=True),
        sa.Column("kvk_number", sa.String(length=8), nullable=True),
        sa.Column("industry", sa.String(length=200), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("initials", sa.String(length=20), nullable=True),
        sa.Column("first_names", sa.String(length=200), nullable=True),
        sa.Column("last_name", sa.String(length=200), nullable=True),
        sa.Column("nickname", sa.String(length=100), nullable=True),
        sa.Column("birthplace", sa.String(length=100), nullable=True),
        sa.Column("marital_status", sa.String(length=50), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("mobile", sa.String(length=50), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("invoice_email", sa.String(length=254), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_relation_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relation")),
        sa.UniqueConstraint("id", "office_id", name=op.f("uq_relation_id_office_id")),
        sa.UniqueConstraint("office_id", "number", name=op.f("uq_relation_office_id_number")),
    )
    op.create_table(
        "fiscal_number",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("relation_id", sa.Integer(), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "OB",
                "BSN_RSIN",
                "LH",
                name="fiscal_number_type",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("value", sa.String(length=32), nullable=False),
        sa.Column("normalised", sa.String(length=32), nullable=False),
        sa.Column("sbr_enabled", sa.Boolean(), nullable=False),
        sa.Column("sbr_start_date", sa.Date(), nullable=True),
        sa.Column("sbr_ideal", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_fiscal_number_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["relation_id", "office_id"],
            ["relation.id", "relation.office_id"],
            name=op.f("fk_fiscal_number_relation_id_office_id_relation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fiscal_number")),
    )
    with op.batch_alter_table("fiscal_number", schema=None) as batch_op:
        batch_op.create_index(
            "ix_fiscal_number_lookup", ["office_id", "type", "normalised"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_fiscal_number_relation_id"), ["relation_id"], unique=False
        )

    op.create_table(
        "relation_address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("relation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=True),
        sa.Column("house_number", sa.String(length=20), nullable=True),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_relation_address_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["relation_id", "office_id"],
            ["relation.id", "relation.office_id"],
            name=op.f("fk_relation_address_relation_id_office_id_relation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relation_address")),
        sa.UniqueConstraint(
            "relation_id", "kind", name=op.f("uq_relation_address_relation_id_kind")
        ),
    )


def downgrade() -> None:
    op.drop_table("relation_address")
    with op.batch_alter_table("fiscal_number", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fiscal_number_relation_id"))
        batch_op.drop_index("ix_fiscal_number_lookup")

    op.drop_table("fiscal_number")
    op.drop_table("relation")
    op.drop_table("office")
