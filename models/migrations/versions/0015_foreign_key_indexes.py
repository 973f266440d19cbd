"""An index for every foreign key (issue 22, item 17).

Deleting a row makes the database look up the rows that refer to it, once per deleted row.
``inbox_return.duplicate_of_id`` had no index, so deleting an office's 60,000 returns read
the whole table once per return (13 minutes, then cancelled). Each key here gets an index led
by its own column; a composite ``(x_id, office_id)`` key is served by the index on ``x_id``,
which alone picks the referring rows. Few returns are duplicates, so that index holds only
those (a lookup by value implies ``IS NOT NULL``; both databases use it).
``tests/security/test_foreign_key_indexes.py`` checks every key, in the models and in a
migrated database.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 17:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, column): one index ``ix_<table>_<column>`` each.
INDEXED = (
    ("api_token", "staff_user_id"),
    ("document", "office_id"),
    ("document", "relation_id"),
    ("dossier_folder", "office_id"),
    ("inbox_return", "message_id"),
    ("inbox_return", "product_id"),
    ("inbox_return", "relation_id"),
    ("intake_key", "office_id"),
    ("outbox", "office_id"),
    ("planner_rule", "office_id"),
    ("planner_rule", "product_id"),
    ("relation_address", "office_id"),
    ("relation_contact", "office_id"),
    ("relation_product", "office_id"),
    ("relation_product", "product_id"),
    ("relation_role", "office_id"),
    ("return_event", "office_id"),
    ("staff_user", "office_id"),
    ("timeline_event", "office_id"),
    ("workflow", "office_id"),
    ("workflow", "product_id"),
)
DUPLICATES = sa.text("duplicate_of_id IS NOT NULL")


def upgrade() -> None:
    for table, column in INDEXED:
        op.create_index(f"ix_{table}_{column}", table, [column], unique=False)
    op.create_index(
        "ix_inbox_return_duplicate_of_id",
        "inbox_return",
        ["duplicate_of_id"],
        unique=False,
        sqlite_where=DUPLICATES,
        postgresql_where=DUPLICATES,
    )


def downgrade() -> None:
    op.drop_index("ix_inbox_return_duplicate_of_id", table_name="inbox_return")
    for table, column in reversed(INDEXED):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
