"""The sweeper (issue 12, item 10): a backlog is re-sent once per stuck age, not on every run
(2,000 deliveries after a worker kill became 16,230 queued messages); and (issue 16) as one
process task, which claims the backlog in batches, not one task per return."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import redis
from sqlalchemy import update

from crm.offices import ensure_office
from inbox.intake import receive
from models import InboxReturn, make_engine, session_scope


def _sweep(database_url: str, broker_url: str) -> str:
    env = {
        **os.environ,
        "SBR_INBOX_DATABASE_URL": database_url,
        "SBR_INBOX_BROKER_URL": broker_url,
        "SBR_INBOX_STUCK_AFTER_SECONDS": "60",
    }
    completed = subprocess.run(
        [sys.executable, "-c", "from workers.tasks import sweep; print(sweep())"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    return completed.stdout


def test_a_backlog_is_re_sent_once_per_stuck_age(
    pipeline_database: str, machine_redis_url: str
) -> None:
    engine = make_engine(pipeline_database)
    with session_scope(engine) as session:
        office = ensure_office(session, "demo")
        for n in range(50):
            receive(session, office, f"<x n='{n}'/>".encode(), None)
        # Received two minutes ago and never processed: a worker died with them.
        session.execute(
            update(InboxReturn).values(
                received_at=InboxReturn.received_at - dt.timedelta(minutes=2)
            )
        )
    client = redis.Redis.from_url(machine_redis_url)
    try:
        assert "'returns': 50" in _sweep(pipeline_database, machine_redis_url)
        assert "'returns': 0" in _sweep(pipeline_database, machine_redis_url)
        assert client.llen("inbox") == 1
        with session_scope(engine) as session:
            # A stuck age later they are due again (as if the first re-send was lost too).
            session.execute(update(InboxReturn).values(sent_at=InboxReturn.received_at))
        assert "'returns': 50" in _sweep(pipeline_database, machine_redis_url)
        # Sent although the first task still waits: a nudge key may outlive a lost task.
        assert client.llen("inbox") == 2
    finally:
        client.close()
        engine.dispose()
