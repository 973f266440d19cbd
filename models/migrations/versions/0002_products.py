"""Product catalogue per office and the products of a relation.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:53:53.785447
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("periods", sa.JSON(), nullable=False),
        sa.Column("deadline_rule", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_product_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
        sa.UniqueConstraint("id", "office_id", name=op.f("uq_product_id_office_id")),
        sa.UniqueConstraint("office_id", "code", name=op.f("uq_product_office_id_code")),
    )
    op.create_table(
        "relation_product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("relation_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_relation_product_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id", "office_id"],
            ["product.id", "product.office_id"],
            name=op.f("fk_relation_product_product_id_office_id_product"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["relation_id", "office_id"],
            ["relation.id", "relation.office_id"],
            name=op.f("fk_relation_product_relation_id_office_id_relation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relation_product")),
        sa.UniqueConstraint(
            "relation_id", "product_id", name=op.f("uq_relation_product_relation_id_product_id")
        ),
    )
    with op.batch_alter_table("relation_product", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_relation_product_relation_id"), ["relation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("relation_product", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_relation_product_relation_id"))

    op.drop_table("relation_product")
    op.drop_table("product")
