"""Planner rules; workflow deadline, period kind and steps.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 16:40:11.401941
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "planner_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("relation_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("first_period_start", sa.Date(), nullable=False),
        sa.Column("create_days_before_start", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("next_period_start", sa.Date(), nullable=False),
        sa.Column("next_creation_on", sa.Date(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_planner_rule_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id", "office_id"],
            ["product.id", "product.office_id"],
            name=op.f("fk_planner_rule_product_id_office_id_product"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["relation_id", "office_id"],
            ["relation.id", "relation.office_id"],
            name=op.f("fk_planner_rule_relation_id_office_id_relation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planner_rule")),
        sa.UniqueConstraint(
            "relation_id", "product_id", name=op.f("uq_planner_rule_relation_id_product_id")
        ),
    )
    with op.batch_alter_table("planner_rule", schema=None) as batch_op:
        batch_op.create_index("ix_planner_rule_due", ["active", "next_creation_on"], unique=False)

    with op.batch_alter_table("workflow", schema=None) as batch_op:
        batch_op.add_column(sa.Column("period_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("deadline", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("steps", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("workflow", schema=None) as batch_op:
        batch_op.drop_column("steps")
        batch_op.drop_column("deadline")
        batch_op.drop_column("period_kind")

    with op.batch_alter_table("planner_rule", schema=None) as batch_op:
        batch_op.drop_index("ix_planner_rule_due")

    op.drop_table("planner_rule")
