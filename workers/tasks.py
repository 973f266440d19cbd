"""The tasks: thin wrappers that open a transaction, call a service function with an id, and
publish the effects the decision queued, after commit.

Transient database and broker errors are retried with backoff (capped far below the Redis
visibility timeout); everything else is the service functions' business, which never crash on
bad input (the parser turns it into a rejected return).
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import lru_cache
from typing import Any

from celery import Task
from celery.signals import worker_process_init
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy import Engine, func, or_, select, update
from sqlalchemy.exc import InterfaceError, OperationalError

from config import get_settings
from inbox.effect_runs import run_effects
from inbox.outbox import FILE_IN_DOSSIER, START_WORKFLOW, batches, claim_stale, mark_sent
from inbox.process import process_batch
from inbox.runner import redecide_until_idle
from models import (
    IS_WAITING,
    ChangeEvent,
    InboxReturn,
    OutboxMessage,
    make_engine,
    session_scope,
)
from models.db import utc_ago
from models.pending import Pending
from planner.rules import run_planner
from workers.app import EFFECTS_QUEUE, RETRY_BACKOFF_MAX, app
from workers.dispatch import CeleryDispatcher
from workers.nudge import follow_up, nudge, nudge_taken

__all__ = ["sweep"]

log = logging.getLogger(__name__)
TRANSIENT = (OperationalError, InterfaceError, BrokerError, ConnectionError)
RETRY: dict[str, Any] = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": RETRY_BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": 20,
}


@lru_cache(maxsize=1)
def worker_engine() -> Engine:
    """This process's engine (a forked worker child makes its own, see below).

    No ``pool_pre_ping``: it costs a round trip per task. A connection that died (PostgreSQL
    restarted) fails the task with OperationalError, SQLAlchemy drops the pool's dead
    connections, and the task's automatic retry runs on a fresh one (the fault suite checks).
    Custom plans: a batch statement is planned for the tables as they are, not as they were
    when it was first prepared (see :func:`models.db.make_engine`).
    """
    return make_engine(get_settings().database_url, custom_plans=True)


@worker_process_init.connect
def _fresh_engine_after_fork(**_: Any) -> None:
    # Connections must not be shared across fork: each child starts with its own pool.
    worker_engine.cache_clear()


@app.task(name="sbr.process_return", bind=True, **RETRY)
def process_return_task(self: Task[Any, Any], return_id: int | None = None) -> str:
    """Decide waiting returns, ``return_id`` first (None: the oldest), a batch in one commit
    (see process_batch), then publish their effects. Sent by a nudge (workers.nudge), by a
    task that claimed a full batch, or by the sweeper.

    An unexpected error is counted on the return that caused it and the task retried after a
    short pause; at SBR_INBOX_MAX_ATTEMPTS the return is rejected as ``internal``.
    """
    settings = get_settings()
    nudge_taken(app)  # before claiming: what is committed from now on nudges again
    outcomes = process_batch(
        worker_engine(),
        return_id,
        max_bytes=settings.max_message_bytes,
        max_attempts=settings.max_attempts,
        transient=TRANSIENT,
        on_full=lambda: follow_up(app),
    )
    if any(outcome.failed for outcome in outcomes):
        # Still waiting, counted: try again after a pause even if nothing else nudges.
        raise self.retry(countdown=min(2**self.request.retries, RETRY_BACKOFF_MAX))
    # The placed returns' effects were sent after the commit (inbox.dispatch); if that send
    # failed, the sweeper sends them.
    return f"decided {sum(outcome.changed for outcome in outcomes)}"


def _effect(celery_task: Task[Any, Any], task: str, return_ids: int | list[int]) -> int:
    """Run effect ``task`` for the returns (see :func:`inbox.effect_runs.run_effects`): those
    whose effect failed, and were not parked, are tried again after a pause, on their own."""
    # A single id is what a message from before batching carries (a queue survives upgrades).
    ids = [return_ids] if isinstance(return_ids, int) else return_ids
    run = run_effects(
        worker_engine(), task, ids, max_attempts=get_settings().max_attempts, transient=TRANSIENT
    )
    if run.retry:
        retries = celery_task.request.retries
        raise celery_task.retry(args=(run.retry,), countdown=min(2**retries, RETRY_BACKOFF_MAX))
    return len(run.done)


@app.task(name="sbr.start_workflow", bind=True, **RETRY)
def start_workflow_task(self: Task[Any, Any], return_ids: int | list[int]) -> int:
    """Move the returns' workflows to their first step (idempotent per return)."""
    return _effect(self, START_WORKFLOW, return_ids)


@app.task(name="sbr.file_in_dossier", bind=True, **RETRY)
def file_in_dossier_task(self: Task[Any, Any], return_ids: int | list[int]) -> int:
    """File the returns in their relations' dossiers (idempotent per return)."""
    return _effect(self, FILE_IN_DOSSIER, return_ids)


@app.task(name="sbr.redecide", **RETRY)
def redecide_task() -> int:
    """Re-decide waiting returns after relation changes; publish the effects of new matches."""
    return redecide_until_idle(worker_engine())[1]


@app.task(name="sbr.sweep", **RETRY)
def sweep_task() -> dict[str, int]:
    """Beat, every minute: re-send what is stuck. See :func:`sweep`."""
    return sweep()


def _send(messages: list[OutboxMessage]) -> None:
    for task, return_ids in batches((m.task, m.return_id) for m in messages):
        app.send_task(f"sbr.{task}", args=[return_ids], queue=EFFECTS_QUEUE)


def sweep() -> dict[str, int]:
    """Re-send work a lost queue or a crash left behind; safe to run anywhere, any time.

    * returns still ``received`` after ``stuck_after_seconds`` and not re-sent within that
      time -> one ``process_return`` task for them all (``sent_at`` records the re-send);
    * effects unsent, or sent but not done, for that long -> sent again;
    * pending change events -> one ``redecide`` task.
    """
    settings = get_settings()
    age = dt.timedelta(seconds=settings.stuck_after_seconds)
    with session_scope(worker_engine()) as session:
        cutoff = utc_ago(session, age)
        # Only what was not (re-)sent within the stuck age: a return already sent again waits
        # its turn, so a backlog is re-sent once per stuck age, not once per sweep.
        stuck = list(
            session.scalars(
                select(InboxReturn.id)
                .where(
                    IS_WAITING,
                    InboxReturn.received_at < cutoff,
                    or_(InboxReturn.sent_at.is_(None), InboxReturn.sent_at < cutoff),
                )
                .order_by(InboxReturn.id)
                .limit(5000)
                .with_for_update(skip_locked=True)
            )
        )
        if stuck:
            session.execute(
                update(InboxReturn).where(InboxReturn.id.in_(stuck)).values(sent_at=func.now())
            )
        stale = claim_stale(session, older_than=age)
        _send(stale)
        mark_sent(session, [message.id for message in stale])
        pending = len(
            session.scalars(
                select(ChangeEvent.id).where(ChangeEvent.handled_at.is_(None)).limit(1000)
            ).all()
        )
    try:
        # One process task for the whole backlog (it claims in batches and sends follow-ups),
        # whatever the nudge key says: the key may be a lost task's.
        nudge(app, stuck, force=True)
    except Exception:  # the next sweep tries again
        log.exception("could not re-send %d stuck return(s)", len(stuck))
    # The same sending as after any commit (inbox.dispatch), for the change events.
    CeleryDispatcher().send(worker_engine(), Pending(redecide=bool(pending)))
    if stuck or stale:
        log.warning("sweeper re-sent %d return(s) and %d effect(s)", len(stuck), len(stale))
    return {"returns": len(stuck), "effects": len(stale), "change_events": pending}


@app.task(name="sbr.planner_run", **RETRY)
def planner_run_task() -> int:
    """Beat, daily: make the workflows whose creation moment has come (docs/domain.md)."""
    with session_scope(worker_engine()) as session:
        return run_planner(session, dt.date.today()).workflows_made
