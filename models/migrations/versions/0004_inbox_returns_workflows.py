"""Inbox: raw messages, returns, their decision history, and minimal workflows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 15:49:28.063890
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "raw_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column(
            "stored_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_raw_message_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_message")),
        sa.UniqueConstraint("id", "office_id", name=op.f("uq_raw_message_id_office_id")),
        sa.UniqueConstraint("office_id", "sha256", name=op.f("uq_raw_message_office_id_sha256")),
    )
    op.create_table(
        "workflow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("relation_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "planner",
                "inbox",
                "staff",
                name="workflow_source",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("ideal_payment", sa.Boolean(), nullable=False),
        sa.Column("amount_due", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_workflow_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id", "office_id"],
            ["product.id", "product.office_id"],
            name=op.f("fk_workflow_product_id_office_id_product"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["relation_id", "office_id"],
            ["relation.id", "relation.office_id"],
            name=op.f("fk_workflow_relation_id_office_id_relation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow")),
        sa.UniqueConstraint("id", "office_id", name=op.f("uq_workflow_id_office_id")),
        sa.UniqueConstraint(
            "relation_id",
            "product_id",
            "period_start",
            "period_end",
            name=op.f("uq_workflow_relation_id_product_id_period_start_period_end"),
        ),
    )
    op.create_table(
        "inbox_return",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "matched",
                "unmatched",
                "rejected",
                "duplicate",
                "dismissed",
                name="return_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("explanation_nl", sa.Text(), nullable=True),
        sa.Column("explanation_en", sa.Text(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "OB",
                "OB_SUPPLETIE",
                "ICP",
                "IB",
                "VPB",
                "LH",
                name="return_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("identifier", sa.String(length=64), nullable=True),
        sa.Column(
            "identifier_type",
            sa.Enum(
                "OB",
                "BSN_RSIN",
                "LH",
                name="return_identifier_type",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("identifier_normalised", sa.String(length=64), nullable=True),
        sa.Column("identifier_valid", sa.Boolean(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("taxonomy", sa.String(length=500), nullable=True),
        sa.Column("amount_due", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("relation_id", sa.Integer(), nullable=True),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("workflow_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("workflow_started", sa.Boolean(), nullable=False),
        sa.Column("filed", sa.Boolean(), nullable=False),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id", "office_id"],
            ["inbox_return.id", "inbox_return.office_id"],
            name=op.f("fk_inbox_return_duplicate_of_id_office_id_inbox_return"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id", "office_id"],
            ["raw_message.id", "raw_message.office_id"],
            name=op.f("fk_inbox_return_message_id_office_id_raw_message"),
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_inbox_return_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id", "office_id"],
            ["product.id", "product.office_id"],
            name=op.f("fk_inbox_return_product_id_office_id_product"),
        ),
        sa.ForeignKeyConstraint(
            ["relation_id", "office_id"],
            ["relation.id", "relation.office_id"],
            name=op.f("fk_inbox_return_relation_id_office_id_relation"),
        ),
        sa.ForeignKeyConstraint(
            ["workflow_id", "office_id"],
            ["workflow.id", "workflow.office_id"],
            name=op.f("fk_inbox_return_workflow_id_office_id_workflow"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_return")),
        sa.UniqueConstraint("id", "office_id", name=op.f("uq_inbox_return_id_office_id")),
        sa.UniqueConstraint(
            "workflow_id", "version", name=op.f("uq_inbox_return_workflow_id_version")
        ),
    )
    with op.batch_alter_table("inbox_return", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbox_return_identifier",
            ["office_id", "identifier_type", "identifier_normalised"],
            unique=False,
        )
        batch_op.create_index(
            "ix_inbox_return_office_sha256", ["office_id", "sha256"], unique=False
        )
        batch_op.create_index(
            "ix_inbox_return_office_status", ["office_id", "status"], unique=False
        )

    op.create_table(
        "return_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("actor", sa.String(length=300), nullable=False),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "matched",
                "unmatched",
                "rejected",
                "duplicate",
                "dismissed",
                name="event_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("remark", sa.Text(), nullable=True),
        sa.Column("explanation_nl", sa.Text(), nullable=True),
        sa.Column("explanation_en", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_return_event_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["return_id", "office_id"],
            ["inbox_return.id", "inbox_return.office_id"],
            name=op.f("fk_return_event_return_id_office_id_inbox_return"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_event")),
    )
    with op.batch_alter_table("return_event", schema=None) as batch_op:
        batch_op.create_index("ix_return_event_return", ["return_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("return_event", schema=None) as batch_op:
        batch_op.drop_index("ix_return_event_return")

    op.drop_table("return_event")
    with op.batch_alter_table("inbox_return", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_return_office_status")
        batch_op.drop_index("ix_inbox_return_office_sha256")
        batch_op.drop_index("ix_inbox_return_identifier")

    op.drop_table("inbox_return")
    op.drop_table("workflow")
    op.drop_table("raw_message")
