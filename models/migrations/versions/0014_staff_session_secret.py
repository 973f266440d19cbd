"""A random per-member session secret (issue 22, item 5).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 17:45:00.000000
"""

from collections.abc import Sequence

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # placeholder: filled in by its item's change


def downgrade() -> None:
    pass
