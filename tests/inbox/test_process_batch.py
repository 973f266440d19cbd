"""Deciding returns in batches (issue 16): one transaction for a task's return and the ones that
wait, a poisoned return isolated, nothing decided twice."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event, func, select

from crm.importer import import_relations
from crm.offices import get_office
from inbox.intake import receive
from inbox.process import process_batch
from models import Document, InboxReturn, ReturnStatus, Workflow, make_engine, session_scope
from sbr_parser import message_builder as build
from sbr_parser import parse_message
from tests.support.factories import ob_relation_rows

Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
Q2 = (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
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
    # A task for a return a batch already decided takes the oldest that still waits.
    [again] = process_batch(engine, 1, max_bytes=10_000_000, max_attempts=3, limit=1)
    assert (again.return_id, again.changed, again.status) == (4, True, ReturnStatus.MATCHED)


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


def _statements_of(engine: Engine, limit: int) -> tuple[int, Counter[str]]:
    """(returns decided, SQL statements by their start) of one batch of at most ``limit``, its
    effects included (the embedded dispatcher runs them after the commit)."""
    seen: Counter[str] = Counter()

    def count(*args: object) -> None:
        # IN lists differ with the batch's size: one statement all the same.
        statement = re.sub(r"IN \([^)]*\)", "IN (...)", " ".join(str(args[2]).split()))
        seen[statement[:70]] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        outcomes = process_batch(engine, None, max_bytes=10_000_000, max_attempts=3, limit=limit)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(outcomes), seen


def test_a_batch_costs_the_same_statements_for_two_returns_or_six(engine: Engine) -> None:
    two, by_two = _statements_of(engine, 2)
    six, by_six = _statements_of(engine, 6)
    assert (two, six) == (2, 6)
    grew = by_six - by_two  # the statements that came more often with more returns
    if engine.dialect.name == "sqlite":
        # SQLite's RETURNING cannot be matched to a multi-row INSERT's rows, so the ORM
        # inserts history and outbox rows one by one there (in-process calls, no round trips).
        grew = Counter(
            {
                statement: n
                for statement, n in grew.items()
                if not statement.startswith(("INSERT INTO outbox ", "INSERT INTO return_event "))
            }
        )
    assert not grew, grew  # per batch, not per return
    assert set(_statuses(engine)) == {ReturnStatus.MATCHED}


def test_two_returns_of_one_period_in_one_batch_are_versions_one_and_two(
    engine: Engine,
) -> None:
    with session_scope(engine) as session:
        office = get_office(session, "demo")
        first, second = (
            receive(
                session, office, build.ob_return(NUMBERS[0], *Q2, amount_due=amount), "q2.xbrl"
            ).id
            for amount in (100, 250)
        )
    process_batch(engine, first, max_bytes=10_000_000, max_attempts=3, limit=20)
    with session_scope(engine) as session:
        rows = [session.get(InboxReturn, i) for i in (first, second)]
        assert [(r.status, r.version, r.workflow_id) for r in rows if r] == [
            (ReturnStatus.MATCHED, 1, rows[0] and rows[0].workflow_id),
            (ReturnStatus.MATCHED, 2, rows[0] and rows[0].workflow_id),
        ]
        workflow = session.get(Workflow, rows[0] and rows[0].workflow_id)
        assert workflow is not None
        # The workflow says what the latest return says.
        assert workflow.amount_due == 250
        assert session.scalar(select(func.count()).select_from(Workflow)) == 9  # 8 Q1 + Q2


def test_a_planned_workflow_takes_a_batch_as_versions_after_its_own(engine: Engine) -> None:
    # Q1 of the first relation decided alone: version 1 of its workflow.
    process_batch(engine, 1, max_bytes=10_000_000, max_attempts=3, limit=1)
    with session_scope(engine) as session:
        office = get_office(session, "demo")
        corrections = [
            receive(session, office, build.ob_suppletie(NUMBERS[0], *Q1), "s.xbrl").id,
            receive(
                session, office, build.ob_suppletie(NUMBERS[0], *Q1, new_total=3600), "s2.xbrl"
            ).id,
        ]
    process_batch(engine, None, max_bytes=10_000_000, max_attempts=3, limit=20)
    with session_scope(engine) as session:
        versions = [
            session.scalar(select(InboxReturn.version).where(InboxReturn.id == i))
            for i in corrections
        ]
    assert versions == [2, 3]
