"""Effects that keep failing are counted and parked (issue 22, item 1): an outbox row counts
the runs that failed, keeps the last error, and is parked (``failed_at``) at the attempt cap.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 17:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch:
        batch.add_column(sa.Column("failures", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_error", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch:
        batch.drop_column("last_error")
        batch.drop_column("failed_at")
        batch.drop_column("failures")
