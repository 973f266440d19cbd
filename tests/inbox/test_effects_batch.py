"""The effects in batches: each return's effect once, and a batch's cost independent of its size
(issue 16: the effects were half of a return's cost)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from crm.importer import import_relations
from crm.offices import get_office
from inbox.effects import file_in_dossiers, start_workflows
from inbox.intake import receive
from inbox.process import process_return
from models import Document, InboxReturn, OutboxMessage, ReturnStatus, TimelineEvent, Workflow
from sbr_parser import message_builder as build
from tests.support.factories import ob_relation_rows

Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
Q2 = (dt.date(2026, 4, 1), dt.date(2026, 6, 30))


def _placed(
    session: Session, count: int, offset: int, period: tuple[dt.date, dt.date] = Q1
) -> list[int]:
    """``count`` returns of ``count`` relations (made on the first period), decided (matched),
    effects not run."""
    numbers = [f"{build.bsn_for(offset + i)}B01" for i in range(count)]
    if period == Q1:
        rows = ob_relation_rows(numbers, "R", offset)
        import_relations(session, {"office": "demo", "relations": rows})
    office = get_office(session, "demo")
    ids = []
    for number in numbers:
        row = receive(session, office, build.ob_return(number, *period), f"{number}.xbrl")
        process_return(session, row.id, max_bytes=10_000_000)
        assert row.status is ReturnStatus.MATCHED
        ids.append(row.id)
    return ids


@contextmanager
def _statements(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = session.get_bind()

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_batch_runs_each_effect_once_at_a_cost_independent_of_its_size(
    session: Session,
) -> None:
    # Q1 makes each relation's 2026 folder; Q2's batches then find it.
    first = _placed(session, 5, 0) + _placed(session, 40, 100)
    assert start_workflows(session, first) == 45
    assert file_in_dossiers(session, first) == 45
    small, large = _placed(session, 5, 0, Q2), _placed(session, 40, 100, Q2)
    session.flush()  # the decisions' own writes are not the effects' cost
    costs = []
    for ids in (small, large):
        with _statements(session) as statements:
            assert start_workflows(session, ids) == len(ids)
            assert file_in_dossiers(session, ids) == len(ids)
        costs.append(len(statements))
    assert costs[0] == costs[1] <= 16, costs  # 5 returns or 40: the same statements
    every = first + small + large
    # Again: nothing more happens.
    assert start_workflows(session, every) == 0
    assert file_in_dossiers(session, every) == 0
    count = select(func.count())
    assert session.scalar(count.select_from(Document).where(Document.return_id.in_(every))) == 90
    assert (
        session.scalar(
            count.select_from(Workflow).where(
                Workflow.id.in_(select(InboxReturn.workflow_id).where(InboxReturn.id.in_(every))),
                Workflow.status == "review",
            )
        )
        == 90
    )
    for kind in ("workflow_started", "return_filed"):
        assert (
            session.scalar(count.select_from(TimelineEvent).where(TimelineEvent.kind == kind)) == 90
        )
    assert (
        session.scalar(
            count.select_from(OutboxMessage).where(
                OutboxMessage.return_id.in_(every), OutboxMessage.done_at.is_(None)
            )
        )
        == 0
    )


def test_a_batch_leaves_a_return_that_is_no_longer_matched_alone(session: Session) -> None:
    ids = _placed(session, 3, 300)
    stray = session.get(InboxReturn, ids[1])
    assert stray is not None
    stray.status = ReturnStatus.DISMISSED
    session.flush()
    assert start_workflows(session, ids) == 2
    assert file_in_dossiers(session, ids) == 2
    assert session.scalar(select(Document.id).where(Document.return_id == ids[1])) is None
