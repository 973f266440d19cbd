"""One fiscal number per (relation, type, normalised value) (issue 22, item 3).

Two "nummer toevoegen" submitted at once could put a number on a relation twice; the relation's
document then lists it twice and is refused by every edit and by its own re-import. Before the
constraint is made, each set of doubles is reduced to one row: the one with SBR on, then the
earliest SBR start date (no start date first: it places every period), then the oldest row.
That is the row under which the most returns match, so no waiting return loses its relation.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 17:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Window functions: PostgreSQL, and SQLite since 3.25. A boolean sorts false before true on
# both, so "sbr_enabled DESC" puts SBR on first and "sbr_start_date IS NOT NULL" no date first.
_REPAIR = """
DELETE FROM fiscal_number WHERE id IN (
    SELECT id FROM (
        SELECT id, ROW_NUMBER() OVER (
            PARTITION BY relation_id, type, normalised
            ORDER BY sbr_enabled DESC, sbr_start_date IS NOT NULL, sbr_start_date, id
        ) AS place
        FROM fiscal_number
    ) ranked
    WHERE place > 1
)
"""


def upgrade() -> None:
    op.execute(sa.text(_REPAIR))
    with op.batch_alter_table("fiscal_number", schema=None) as batch:
        batch.create_unique_constraint(
            "uq_fiscal_number_relation_id_type_normalised", ["relation_id", "type", "normalised"]
        )


def downgrade() -> None:
    with op.batch_alter_table("fiscal_number", schema=None) as batch:
        batch.drop_constraint("uq_fiscal_number_relation_id_type_normalised", type_="unique")
