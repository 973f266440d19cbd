"""Coalesced nudges (issue 16): intake commits every delivery and only nudges the workers; a
burst of deliveries is a handful of process tasks, not one per delivery, and none is lost."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy import func, select

from crm.offices import get_office
from inbox.dispatch import current, install, unit_of_work
from inbox.intake import receive
from inbox.process import PROCESS_BATCH
from models import InboxReturn, ReturnStatus, session_scope
from tests.support.harness import Pipeline, day_of_messages, seed_office
from workers.dispatch import CeleryDispatcher
from workers.nudge import NUDGE_KEY, nudge_taken

BURST = 3 * PROCESS_BATCH  # three full batches


@pytest.fixture
def intake(pipeline: Pipeline) -> Iterator[Pipeline]:
    """This process delivers as the API does: a commit per delivery, then the Celery
    dispatcher (on the test's own Redis db) nudges."""
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
    audit = intake.audit()
    assert (audit.returns, audit.lost, audit.duplicated) == (BURST, 0, 0)
    log = (intake.work_dir / "worker.log").read_text()
    tasks = len(re.findall(r"Task sbr\.process_return\[[^\]]+\] received", log))
    # The nudge's task, and one follow-up per full batch (the last finds nothing left).
    assert tasks == 1 + BURST // PROCESS_BATCH, tasks
    with session_scope(intake.engine) as session:
        waiting = session.scalar(
            select(func.count()).where(InboxReturn.status == ReturnStatus.RECEIVED)
        )
    assert waiting == 0
