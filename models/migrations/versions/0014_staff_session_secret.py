"""A random per-member session secret (issue 22, item 5); the intake keys' quota state (item 8).

Every existing member gets a secret of their own: sessions made before the upgrade carry none
and so end (members sign in once more). The intake keys' quota columns start empty: a key's
allowance is whole at the upgrade.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 17:45:00.000000
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_QUOTA_COLUMNS = ("deliveries_spent_until", "hour_bytes_spent_until", "day_bytes_spent_until")


def upgrade() -> None:
    with op.batch_alter_table("staff_user") as batch:
        batch.add_column(sa.Column("session_secret", sa.String(length=64), nullable=True))
    staff = sa.table("staff_user", sa.column("id", sa.Integer), sa.column("session_secret"))
    connection = op.get_bind()
    for (member_id,) in connection.execute(sa.select(staff.c.id)).all():
        # The same form crm.tokens.new_secret makes (a migration does not import the app).
        connection.execute(
            staff.update()
            .where(staff.c.id == member_id)
            .values(session_secret=f"sbrs_{secrets.token_urlsafe(32)}")
        )
    with op.batch_alter_table("staff_user") as batch:
        batch.alter_column("session_secret", existing_type=sa.String(length=64), nullable=False)
    with op.batch_alter_table("intake_key") as batch:
        for name in _QUOTA_COLUMNS:
            batch.add_column(sa.Column(name, sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("intake_key") as batch:
        for name in _QUOTA_COLUMNS:
            batch.drop_column(name)
    with op.batch_alter_table("staff_user") as batch:
        batch.drop_column("session_secret")
