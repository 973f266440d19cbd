"""Effects that keep failing are counted and parked (issue 22, item 1).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 17:45:00.000000
"""

from collections.abc import Sequence

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # placeholder: filled in by its item's change


def downgrade() -> None:
    pass
