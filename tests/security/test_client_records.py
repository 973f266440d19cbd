"""Client records under races and hostile input (issue 22, items 3, 10, 12 and 15).

The races run two real transactions on PostgreSQL at once. A third connection holds a lock
both must pass after they have read the relation (the relation row ``FOR UPDATE``, or a row
with the key they will insert), the test waits until PostgreSQL shows both waiting, and only
then lets go: both have read the same state before either wrote, whatever the machine's
speed, so the outcome does not depend on timing.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm.edits import put_fiscal_number, update_relation
from crm.export import relation_document
from crm.importer import import_relations
from crm.offices import get_office
from crm.queries import get_relation
from inbox.dispatch import unit_of_work
from models import FiscalNumber, Relation, make_engine, session_scope
from models.base import table_of
from models.migrate import upgrade
from sbr_parser import IdentifierType
from tests.database import ADMIN_URL
from tests.support.factories import jansen_holding
from tests.support.scratch import scratch_postgres_database

NEW_OB = "262157196B01"  # a valid OB number relation 1001 does not hold


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A migrated PostgreSQL database of this test's own (the races need real row locks)."""
    with scratch_postgres_database(ADMIN_URL, "sbr_inbox_records") as url:
        upgrade(url)
        yield url


@pytest.fixture
def postgres(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    with session_scope(engine) as session:
        import_relations(session, {"office": "a", "relations": [jansen_holding()]})
    yield engine
    engine.dispose()


def wait_for_waiters(engine: Engine, count: int) -> None:
    """Until ``count`` other connections of this database wait for a lock (a condition on the
    database, polled; the deadline only turns a hang into a failure)."""
    deadline = time.monotonic() + 120
    with engine.connect() as connection:
        while True:
            waiting = connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            )
            connection.rollback()
            if waiting == count:
                return
            if time.monotonic() > deadline:
                pytest.fail(f"{waiting} connections wait for a lock, not {count}")
            time.sleep(0.01)


def race(
    engine: Engine, hold: Callable[[Session], None], actions: list[Callable[[], Any]]
) -> list[Any]:
    """Run ``actions`` in threads at once while a transaction holds what ``hold`` takes; let go
    when all of them wait for it. Returns each action's result or the exception it raised."""
    results: list[Any] = [None] * len(actions)
    start = threading.Barrier(len(actions) + 1)

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = actions[index]()
        except Exception as exc:  # the test looks at what each one raised
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    with Session(engine) as blocker, blocker.begin():
        hold(blocker)
        for thread in threads:
            thread.start()
        start.wait()
        wait_for_waiters(engine, len(actions))
        blocker.rollback()
    for thread in threads:
        thread.join()
    return results


def lock_relation_row(number: str) -> Callable[[Session], None]:
    def hold(session: Session) -> None:
        session.execute(select(Relation.id).where(Relation.number == number).with_for_update())

    return hold


def fiscal_rows(engine: Engine, number: str = "1001") -> list[tuple[str, str]]:
    with session_scope(engine) as session:
        return [
            (str(t.value), n)
            for t, n in session.execute(
                select(FiscalNumber.type, FiscalNumber.normalised)
                .join(Relation, Relation.id == FiscalNumber.relation_id)
                .where(Relation.number == number)
                .order_by(FiscalNumber.id)
            )
        ]


# -- item 3: a double-submitted "nummer toevoegen" ------------------------------------------


def test_two_concurrent_adds_of_one_number_leave_one_row(postgres: Engine) -> None:
    def add() -> str:
        with unit_of_work(postgres) as session:
            office = get_office(session, "a")
            relation = put_fiscal_number(
                session, office, "1001", IdentifierType.OB, NEW_OB, start_date=None, source="x"
            )
            return relation.number

    results = race(postgres, lock_relation_row("1001"), [add, add])

    assert results == ["1001", "1001"]  # the second found the number there and said so
    assert fiscal_rows(postgres) == [("OB", "001000044B37"), ("OB", NEW_OB)]
    with session_scope(postgres) as session:  # and the relation can be edited again
        update_relation(session, get_office(session, "a"), "1001", {"memo": "verder"})


def test_the_database_refuses_a_second_row_for_one_number(postgres: Engine) -> None:
    with session_scope(postgres) as session:
        relation = get_relation(session, get_office(session, "a"), "1001")
        double = {
            "office_id": relation.office_id,
            "relation_id": relation.id,
            "type": "OB",
            "value": "001000044b37",
            "normalised": "001000044B37",
            "sbr_enabled": False,
        }
    refused = "uq_fiscal_number_relation_id_type_normalised"
    with pytest.raises(IntegrityError, match=refused), session_scope(postgres) as session:
        session.execute(table_of(FiscalNumber).insert(), [double])


DOUBLES = [  # (value as entered, sbr_enabled, sbr_start_date): one number three times
    ("001000044B37", False, None),
    ("001000044b37", True, "2025-06-30"),
    ("NL001000044B37", True, "2024-12-31"),
]


def _insert_doubles(engine: Engine) -> None:
    """Relation 1001 with its OB number three times, written raw (as the race left them)."""
    with session_scope(engine) as session:
        import_relations(session, {"office": "a", "relations": [jansen_holding()]})
        relation = get_relation(session, get_office(session, "a"), "1001")
        session.execute(table_of(FiscalNumber).delete())
        session.execute(
            table_of(FiscalNumber).insert(),
            [
                {
                    "office_id": relation.office_id,
                    "relation_id": relation.id,
                    "type": "OB",
                    "value": value,
                    "normalised": "001000044B37",
                    "sbr_enabled": enabled,
                    "sbr_start_date": None if start is None else dt.date.fromisoformat(start),
                }
                for value, enabled, start in DOUBLES
            ],
        )


@pytest.fixture(params=["sqlite", "postgresql"])
def before_0013(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of either backend at the revision before the constraint."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'before-0013.db'}"
        upgrade(url, "0012")
        yield url
    else:
        with scratch_postgres_database(ADMIN_URL, "sbr_inbox_records") as url:
            upgrade(url, "0012")
            yield url


def test_the_migration_keeps_one_row_per_number_and_the_relation_works_again(
    before_0013: str,
) -> None:
    engine = make_engine(before_0013)
    try:
        _insert_doubles(engine)
        upgrade(before_0013)
        with session_scope(engine) as session:
            rows = session.execute(
                select(FiscalNumber.value, FiscalNumber.sbr_enabled, FiscalNumber.sbr_start_date)
            ).all()
            # SBR on beats off; then the earliest start date (it covers the most periods).
            assert [(v, e, str(s)) for v, e, s in rows] == [("NL001000044B37", True, "2024-12-31")]
            office = get_office(session, "a")
            document = relation_document(get_relation(session, office, "1001"))
            import_relations(session, {"office": "a", "relations": [document]})
            update_relation(session, office, "1001", {"memo": "weer te wijzigen"})
    finally:
        engine.dispose()


def test_a_relation_with_doubles_can_be_edited_and_exported_again(before_0013: str) -> None:
    # Without the constraint (a database not yet migrated): the edit path still takes them.
    engine = make_engine(before_0013)
    try:
        _insert_doubles(engine)
        with session_scope(engine) as session:
            office = get_office(session, "a")
            document = relation_document(get_relation(session, office, "1001"))
            assert [n["value"] for n in document["fiscal_numbers"]] == ["NL001000044B37"]
            update_relation(session, office, "1001", {"memo": "weer te wijzigen"})
        assert fiscal_rows(engine) == [("OB", "001000044B37")]
    finally:
        engine.dispose()
