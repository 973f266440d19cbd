"""Deciding returns in batches (issue 16): one transaction for a task's return and the ones that
wait, a poisoned return isolated, nothing decided twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select

from crm.importer import import_relations
from crm.offices import get_office
from inbox.intake import receive
from inbox.process import process_batch
from models import Document, InboxReturn, ReturnStatus, make_engine, session_scope
from sbr_parser import message_builder as build
from sbr_parser import parse_message
from tests.support.factories import ob_relation_rows

Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
NUMBERS = [f"{build.bsn_for(500 + i)}B01" for i in range(8)]


@pytest.fixture
def engine(own_database_url: str) -> Iterator[Engine]:
    """Eight relations and one waiting return of each, committed (batches commit)."""
    engine = make_engine(own_database_url)
    with session_scope(engine) as session:
        import_relations(session, {"office": "demo", "relations": ob_relation_rows(NUMBERS, "B")})
        office = get_office(session, "demo")
        for number in NUMBERS:
            receive(session, office, build.ob_return(number, *Q1), f"{number}.xbrl")
    yield engine
    engine.dispose()


def _statuses(engine: Engine) -> list[ReturnStatus]:
    with session_scope(engine) as session:
        return list(session.scalars(select(InboxReturn.status).order_by(InboxReturn.id)))


def test_a_batch_takes_its_own_return_and_the_oldest_waiting_ones(engine: Engine) -> None:
    outcomes = process_batch(engine, 5, max_bytes=10_000_000, max_attempts=3, limit=4)
    assert [o.return_id for o in outcomes] == [5, 1, 2, 3]
    assert (
        _statuses(engine)
        == [ReturnStatus.MATCHED] * 3
        + [ReturnStatus.RECEIVED]
        + [ReturnStatus.MATCHED]
        + [ReturnStatus.RECEIVED] * 3
    )
    # Their effects ran after the one commit (embedded dispatcher): each filed once.
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 4
    # A task for a return a batch already decided does nothing.
    [again] = process_batch(engine, 1, max_bytes=10_000_000, max_attempts=3, limit=1)
    assert (again.return_id, again.changed) == (1, False)


def test_a_poisoned_return_is_isolated_and_the_rest_decided(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    poisoned = NUMBERS[2]

    def parse_failing_on_one(data: bytes, **kwargs: object) -> object:
        if poisoned.encode() in data:  # fault injection: a bug only this message reaches
            raise RuntimeError("a bug of ours")
        return parse_message(data, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("inbox.process.parse_message", parse_failing_on_one)
    outcomes = process_batch(engine, 1, max_bytes=10_000_000, max_attempts=3, limit=8)
    assert [o.failed for o in outcomes] == [False, False, True, *[False] * 5]
    statuses = _statuses(engine)
    assert statuses[2] is ReturnStatus.RECEIVED  # counted, to be tried again
    assert statuses[:2] + statuses[3:] == [ReturnStatus.MATCHED] * 7
    with session_scope(engine) as session:
        row = session.get(InboxReturn, 3)
        assert row is not None
        assert row.attempts == 1


def test_the_same_bytes_twice_in_one_batch_is_a_duplicate(engine: Engine) -> None:
    with session_scope(engine) as session:
        office = get_office(session, "demo")
        again = receive(
            session, office, build.ob_return(NUMBERS[0], *Q1), "again.xbrl"
        ).id  # the same bytes as return 1
    outcomes = process_batch(engine, 1, max_bytes=10_000_000, max_attempts=3, limit=20)
    assert {o.return_id for o in outcomes} == {*range(1, 9), again}
    with session_scope(engine) as session:
        row = session.get(InboxReturn, again)
        assert row is not None
        assert (row.status, row.duplicate_of_id) == (ReturnStatus.DUPLICATE, 1)
        first = session.get(InboxReturn, 1)
        assert first is not None
        assert first.status is ReturnStatus.MATCHED
