"""A staff member's team member code ("mijn werk" on the planbord).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_user") as batch:
        batch.add_column(sa.Column("member_code", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_user") as batch:
        batch.drop_column("member_code")
