"""One fiscal number per (relation, type, normalised value) (issue 22, item 3).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 17:45:00.000000
"""

from collections.abc import Sequence

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # placeholder: filled in by its item's change


def downgrade() -> None:
    pass
