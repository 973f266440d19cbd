"""The worker plans each statement for the tables as they are, not as they were (issue 16).

psycopg prepares a statement after five runs, and PostgreSQL may then keep one generic plan
for it until an ANALYZE. Made while the outbox held a few rows, the generic plan of "mark these
100 effects done" read every row of the task; at 100,000 returns, with autovacuum off, it took
123 ms instead of 1. ``models.db.make_engine(custom_plans=True)`` (the worker's engine) plans
every run anew; these tests grow a table under a prepared statement and look at its plan.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

from config import get_settings
from inbox.outbox import mark_done
from models import Office, OutboxMessage
from workers.tasks import worker_engine

pytestmark = pytest.mark.parametrize("own_database_url", ["postgresql"], indirect=True)

TASK = "sbr.file_in_dossier"
#: Returns whose effects are marked done, over and over: the prepared statement's values.
MARKED = [3, 5, 7]


@pytest.fixture
def engine_of_worker(own_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The engine a worker process makes, on this test's database."""
    monkeypatch.setenv("SBR_INBOX_DATABASE_URL", own_database_url)
    get_settings.cache_clear()
    worker_engine.cache_clear()
    engine = worker_engine()
    yield engine
    engine.dispose()
    worker_engine.cache_clear()
    monkeypatch.undo()
    get_settings.cache_clear()


def _effects(session: Session, office_id: int, return_ids: range) -> None:
    session.execute(
        insert(OutboxMessage),
        [{"office_id": office_id, "task": TASK, "return_id": n} for n in return_ids],
    )


def test_a_statement_prepared_on_a_small_table_is_planned_again_when_it_has_grown(
    engine_of_worker: Engine,
) -> None:
    with engine_of_worker.connect() as connection, Session(bind=connection) as session:
        office = Office(code="plans")
        session.add(office)
        session.flush()
        _effects(session, office.id, range(1, 21))
        session.commit()
        # psycopg prepares a statement after 5 runs; PostgreSQL weighs a generic plan from
        # the sixth run of the prepared statement on: 15 runs are well past both.
        for _ in range(15):
            mark_done(session, TASK, MARKED)
            session.commit()
        _effects(session, office.id, range(21, 20_001))
        session.commit()
        mark_done(session, TASK, MARKED)
        session.commit()

        [(name, generic, custom)] = connection.execute(
            text(
                "SELECT name, generic_plans, custom_plans FROM pg_prepared_statements "
                "WHERE statement LIKE 'UPDATE outbox SET done_at%'"
            )
        ).all()
        # The test's own constants, written in: EXECUTE's arguments take no parameters.
        values = ", ".join([f"'{TASK}'", *map(str, MARKED)])
        plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN EXECUTE {name}({values})").scalars())
        connection.rollback()

    assert generic == 0, f"{generic} runs on a generic plan"
    assert custom > 5, f"only {custom} runs prepared: the threshold was not reached"
    # The index finds the three returns' rows; nothing walks the task's 20,000.
    assert "return_id = ANY" in plan.split("Index Cond:", 1)[-1], plan
