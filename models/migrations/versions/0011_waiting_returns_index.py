"""The waiting returns' own index: a worker claims the oldest waiting returns from it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_inbox_return_waiting",
        "inbox_return",
        ["id"],
        unique=False,
        sqlite_where=sa.text("status = 'received'"),
        postgresql_where=sa.text("status = 'received'"),
    )


def downgrade() -> None:
    op.drop_index("ix_inbox_return_waiting", table_name="inbox_return")
