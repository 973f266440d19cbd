"""Every foreign key has an index (issue 22, item 17).

Deleting a row makes the database look up the rows that refer to it, once per deleted row:
deleting an office cascades to its 60,000 returns, and each of them made PostgreSQL read all of
``inbox_return`` for returns that were a ``duplicate_of`` it (13 minutes, then cancelled).

A key is covered by an index whose leading columns are the key's columns (in any order), or
whose leading columns are the key's columns other than ``office_id``: the composite
``(x_id, office_id)`` keys only make sure a row cannot point into another office, and ``x_id``
alone already picks the referring rows. A partial index counts only when its condition is
``<key column> IS NOT NULL``, which every referring row meets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pytest
from sqlalchemy import (
    Engine,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    inspect,
    text,
)

from models import make_engine
from models.base import Base

TENANT = "office_id"

# (leading columns, partial condition or None)
Covering = tuple[Sequence[str], str | None]


def _serves(key: Sequence[str], covering: Iterable[Covering]) -> bool:
    selective = [c for c in key if c != TENANT] or list(key)
    for columns, where in covering:
        if set(columns[: len(key)]) != set(key) and list(columns[: len(selective)]) != selective:
            continue
        if where is None or _not_null_of(where) in key:
            return True
    return False


def _not_null_of(where: str) -> str | None:
    found = re.fullmatch(r"\(*\s*(\w+)\s+is\s+not\s+null\s*\)*", where.strip(), re.IGNORECASE)
    return found.group(1) if found else None


def _where(index: Index) -> str | None:
    return _text(index.dialect_options["postgresql"].get("where"))


def _named(columns: Sequence[str | None] | None) -> list[str]:
    """An index's column names (an expression's is None)."""
    return [c for c in columns or () if c is not None]


def _text(condition: object) -> str | None:
    return None if condition is None else str(condition)


def _model_covering(table: Table) -> list[Covering]:
    covering: list[Covering] = [
        ([c.name for c in index.columns], _where(index)) for index in table.indexes
    ]
    covering += [
        ([c.name for c in constraint.columns], None)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint)
    ]
    return covering


def test_every_foreign_key_of_the_models_has_an_index() -> None:
    unindexed = [
        f"{table.name}({', '.join(c.name for c in key.columns)})"
        for table in Base.metadata.sorted_tables
        for key in table.constraints
        if isinstance(key, ForeignKeyConstraint)
        and not _serves([c.name for c in key.columns], _model_covering(table))
    ]
    assert unindexed == []


def test_every_foreign_key_of_the_migrated_database_has_an_index(engine: Engine) -> None:
    catalog = inspect(engine)
    unindexed = []
    for table in catalog.get_table_names():
        if table == "alembic_version":
            continue
        covering: list[Covering] = [
            (
                _named(index["column_names"]),
                _text(index.get("dialect_options", {}).get(f"{engine.dialect.name}_where")),
            )
            for index in catalog.get_indexes(table)
        ]
        covering += [(u["column_names"], None) for u in catalog.get_unique_constraints(table)]
        covering.append((catalog.get_pk_constraint(table)["constrained_columns"], None))
        unindexed += [
            f"{table}({', '.join(key['constrained_columns'])})"
            for key in catalog.get_foreign_keys(table)
            if not _serves(key["constrained_columns"], covering)
        ]
    assert unindexed == []


#: Returns of one office, every third one a duplicate of the return before it.
RETURNS = 3000


@pytest.mark.parametrize("own_database_url", ["postgresql"], indirect=True)
def test_deleting_a_return_finds_its_duplicates_by_an_index(own_database_url: str) -> None:
    """The lookup PostgreSQL makes for each deleted return (its referential-integrity query,
    planned for an office's returns as they are after ANALYZE) goes into an index by
    ``duplicate_of_id``: not a sequential scan, and not the office's ``(office_id, status)``
    index, which read all of the office's returns for each one deleted."""
    engine = make_engine(own_database_url)
    with engine.begin() as connection:
        office = connection.scalar(
            text("INSERT INTO office (code, name) VALUES ('dup', 'Dup') RETURNING id")
        )
        message = connection.scalar(
            text(
                "INSERT INTO raw_message (office_id, sha256, size, data)"
                " VALUES (:office, 'x', 1, 'x') RETURNING id"
            ),
            {"office": office},
        )
        connection.execute(
            text(
                "INSERT INTO inbox_return (id, office_id, message_id, sha256, status,"
                " duplicate_of_id, workflow_started, filed, attempts)"
                " SELECT n, :office, :message, 'x',"
                " CASE WHEN n % 3 = 0 THEN 'duplicate' ELSE 'unmatched' END,"
                " CASE WHEN n % 3 = 0 THEN n - 1 END, false, false, 0"
                " FROM generate_series(1, :returns) AS n"
            ),
            {"office": office, "message": message, "returns": RETURNS},
        )
        connection.execute(text("ANALYZE inbox_return"))
    plans = []
    with engine.connect() as connection:
        # PostgreSQL's own query (ri_triggers.c), as a custom and as a generic plan.
        connection.execute(
            text(
                "PREPARE duplicates_of AS SELECT 1 FROM ONLY inbox_return x"
                " WHERE $1 = duplicate_of_id AND $2 = office_id FOR KEY SHARE OF x"
            )
        )
        for mode in ("force_custom_plan", "force_generic_plan"):
            connection.execute(text(f"SET plan_cache_mode = {mode}"))
            # Integers from this test, not input: EXPLAIN EXECUTE takes no bound parameters.
            explain = f"EXPLAIN EXECUTE duplicates_of({RETURNS // 2}, {int(office)})"
            plans.append("\n".join(connection.scalars(text(explain))))
        connection.rollback()
    engine.dispose()
    for plan in plans:
        assert "Index Scan using ix_inbox_return_duplicate_of_id" in plan, plan
