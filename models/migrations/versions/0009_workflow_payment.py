"""Workflow payment facts: payment deadline and betalingskenmerk.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 22:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workflow") as batch:
        batch.add_column(sa.Column("payment_deadline", sa.Date(), nullable=True))
        batch.add_column(sa.Column("payment_reference", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workflow") as batch:
        batch.drop_column("payment_reference")
        batch.drop_column("payment_deadline")
