"""Engines and sessions, in one place: every process gets its database the same way.

The boundary (a CLI command, a task, a request) owns the transaction through :func:`session_scope`;
service functions only ``flush``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.base import table_of

__all__ = ["insert_missing", "make_engine", "refresh_statistics", "session_scope", "utc_ago"]


def make_engine(url: str, *, custom_plans: bool = False, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys switched on, as PostgreSQL always has.

    ``hide_parameters``: a failing statement's error (in a worker's log, a task's traceback in
    Flower) shows the SQL but not its values, which are taxpayers' numbers and amounts.

    ``custom_plans`` (PostgreSQL): plan every statement for its own values and the tables as
    they are now. psycopg prepares a statement after five runs; PostgreSQL may then keep one
    generic plan for it, made for the tables as they were, until ANALYZE invalidates it. A
    worker's batch statements (``... WHERE return_id IN (100 ids)``) are prepared while the
    tables are still small, and their generic plan can read every row of a task where the index
    would read a hundred: with autovacuum off (as on the CI machine), marking 100 effects done
    grew from 12 to 123 ms at 100,000 returns, and the run fell from 888 to 463 returns/s.
    Planning each time costs a few percent on 3,000 returns and keeps the rate flat
    (bench/pipeline.py). The same trap for foreign-key checks: :func:`refresh_statistics`.
    """
    kwargs.setdefault("hide_parameters", True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    elif custom_plans and engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgresql_custom_plans)
    return engine


def _postgresql_custom_plans(dbapi_connection: Any, _record: Any) -> None:
    # A session setting, once per pooled connection; committed at once, so a rollback of the
    # first unit of work cannot take it back.
    cursor = dbapi_connection.cursor()
    cursor.execute("SET plan_cache_mode = force_custom_plan")
    cursor.close()
    dbapi_connection.commit()


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Without this SQLite ignores every FOREIGN KEY, including the tenant-safe composite ones.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    # pysqlite's own transaction handling breaks SAVEPOINTs (which tests and nested units of work
    # use); SQLAlchemy's documented fix is to switch it off and emit BEGIN ourselves.
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit when the block succeeds, roll back when it raises."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def refresh_statistics(session: Session, *models: type[Any]) -> None:
    """Let PostgreSQL re-plan foreign-key checks against tables a bulk load is filling.

    PostgreSQL plans each foreign-key check once per connection and keeps the plan. Planned while
    the referenced table is still (nearly) empty, it is a sequential scan, and a bulk load into
    an empty database turns quadratic (measured: 10,000 relations took 82 s, with this 9 s).
    ANALYZE updates the statistics, which invalidates the cached plans; the new plans use the
    index. SQLite has no such cache and needs nothing.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        session.execute(text(f"ANALYZE {table_of(model).name}"))


def utc_ago(session: Session, age: dt.timedelta) -> dt.datetime:
    """The moment ``age`` ago, comparable with the database's ``server_default=now()`` columns.

    PostgreSQL stores timestamptz and compares aware datetimes; SQLite stores CURRENT_TIMESTAMP
    as naive UTC text, so it gets naive UTC (an aware value would compare as different text).
    """
    moment = dt.datetime.now(dt.UTC) - age
    if session.get_bind().dialect.name == "postgresql":
        return moment
    return moment.replace(tzinfo=None)


def insert_missing(session: Session, model: type[Any], key: Sequence[str]) -> Any:
    """``INSERT ... ON CONFLICT (key) DO NOTHING RETURNING id`` for ``model``'s table, in the
    session's dialect: rows that exist already (made before, or by another transaction at the
    same moment) are left as they are, without a savepoint per row. Execute it with a list of
    rows for one multi-row statement; it returns the ids of the rows it made."""
    table = table_of(model)
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    return insert.on_conflict_do_nothing(index_elements=list(key)).returning(table.c.id)
