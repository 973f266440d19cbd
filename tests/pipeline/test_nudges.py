"""Coalesced nudges (issue 16): intake commits every delivery and only nudges the workers; a
burst of deliveries is a handful of process tasks, not one per delivery, and none is lost.

No wall clock decides what these tests see (issue 22: under load the task count came out
wrong): the nudge key's safety-net expiry is made longer than any burst can take, and the task
count is read once the chain of process tasks has ended (a task that found nothing left has
finished, and the broker holds nothing), not as soon as the returns are decided.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from crm.offices import get_office
from inbox.dispatch import current, install, unit_of_work
from inbox.intake import receive
from inbox.process import PROCESS_BATCH
from models import InboxReturn, ReturnStatus, session_scope
from tests.support.harness import Pipeline, day_of_messages, queues_drained, seed_office, wait_for
from workers.dispatch import CeleryDispatcher
from workers.nudge import NUDGE_KEY, nudge_taken

BURST = 3 * PROCESS_BATCH  # three full batches


#: A process task's line in the worker's log when it is taken, and when it has ended.
RECEIVED = re.compile(r"Task sbr\.process_return\[[^\]]+\] received")
FOUND_NOTHING = re.compile(r"Task sbr\.process_return\[[^\]]+\] succeeded in [^:]+: 'decided 0'")


@pytest.fixture
def intake(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pipeline]:
    """This process delivers as the API does: a commit per delivery, then the Celery
    dispatcher (on the test's own Redis db) nudges.

    The nudge key expires by itself (a safety net for a worker that died before deleting it);
    a burst delivered on a busy machine can take longer than that, and the next delivery would
    then rightly send a second task. These tests are about coalescing, so the key lives until
    a task takes it (the test's Redis db is flushed afterwards)."""
    monkeypatch.setattr("workers.nudge.NUDGE_TTL_SECONDS", 3600)
    before = current()
    install(CeleryDispatcher(pipeline.celery))
    try:
        yield pipeline
    finally:
        install(before)


def _deliver_one_by_one(pipeline: Pipeline, messages: list[bytes]) -> None:
    for index, data in enumerate(messages):
        with unit_of_work(pipeline.engine) as session:
            receive(session, get_office(session, "demo"), data, f"m{index}.xbrl")


def test_a_burst_without_workers_queues_one_task(intake: Pipeline) -> None:
    numbers = seed_office(intake.engine, "demo", 50)
    client = redis.Redis.from_url(intake.broker_url)
    try:
        _deliver_one_by_one(intake, day_of_messages(numbers, 100))
        assert client.llen("inbox") == 1  # one task queued for 100 committed deliveries
        nudge_taken(intake.celery)  # what the task does first, before it claims
        assert not client.exists(NUDGE_KEY)
        _deliver_one_by_one(intake, day_of_messages(numbers, 101)[100:])
        assert client.llen("inbox") == 2  # a delivery after the task started nudges anew
    finally:
        client.close()


def test_a_burst_is_decided_by_one_task_and_its_follow_ups(intake: Pipeline) -> None:
    numbers = seed_office(intake.engine, "demo", 100)
    # The burst arrives faster than any worker starts (here: before one does): one nudge.
    _deliver_one_by_one(intake, day_of_messages(numbers, BURST))
    intake.start_worker(concurrency=2)
    intake.wait_until_settled(timeout=180)
    worker_log = intake.work_dir / "worker.log"
    # Decided is not yet the end: the last follow-up (sent before its sender decided its own
    # batch) may still be on its way. The chain ends with a task that found nothing left;
    # then nothing may be queued or taken (a second nudge's task would be).
    client = redis.Redis.from_url(intake.broker_url)
    try:
        wait_for(lambda: _found_nothing(worker_log), 180, "a process task that found nothing")
        wait_for(lambda: queues_drained(client), 180, "the queues to drain")
    finally:
        client.close()
    audit = intake.audit()
    assert (audit.returns, audit.lost, audit.duplicated) == (BURST, 0, 0)
    tasks = len(RECEIVED.findall(worker_log.read_text()))
    # The nudge's task, and one follow-up per full batch (the last finds nothing left).
    assert tasks == 1 + BURST // PROCESS_BATCH, tasks
    with session_scope(intake.engine) as session:
        waiting = session.scalar(
            select(func.count()).where(InboxReturn.status == ReturnStatus.RECEIVED)
        )
    assert waiting == 0


def _found_nothing(worker_log: Path) -> bool:
    return FOUND_NOTHING.search(worker_log.read_text()) is not None
