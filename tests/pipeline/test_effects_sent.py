"""Every effect reaches a worker without the sweeper (issue 22: two effect sends were seen to
arrive only when the sweeper re-sent them, five minutes later, with no fault injected).

No beat runs here, so nothing re-sends: an effect whose send was skipped or lost would stay
not done, and the pipeline would never settle. Deliveries come in bursts with duplicates and
with returns of one workflow in different batches (concurrent batches then conflict, fail and
are decided one by one: the path where a first attempt's notes are rolled back).
"""

from __future__ import annotations

from sqlalchemy import func, select

from models import OutboxMessage, session_scope
from tests.support.harness import Pipeline, day_of_messages, seed_office

MESSAGES = 1200


def test_every_effect_is_done_without_the_sweeper(pipeline: Pipeline) -> None:
    numbers = seed_office(pipeline.engine, "demo", 30)
    messages = day_of_messages(numbers, MESSAGES)
    pipeline.start_worker(concurrency=2)
    # In parts, while the worker decides the earlier ones; every tenth message twice.
    for start in range(0, MESSAGES, 200):
        part = messages[start : start + 200]
        pipeline.deliver("demo", part + part[::10])
    try:
        pipeline.wait_until_settled(timeout=300)
    except TimeoutError:
        with session_scope(pipeline.engine) as session:
            undone = session.execute(
                select(OutboxMessage.task, OutboxMessage.return_id, OutboxMessage.sent_at)
                .where(OutboxMessage.done_at.is_(None))
                .limit(20)
            ).all()
        raise AssertionError(f"effects never done without the sweeper: {undone}") from None
    audit = pipeline.audit()
    assert (audit.lost, audit.duplicated, audit.effects_pending) == (0, 0, 0)
    with session_scope(pipeline.engine) as session:
        # Nothing was re-sent: no sweeper ran, every effect went out after its decision.
        assert session.scalar(select(func.max(OutboxMessage.attempts))) == 0
