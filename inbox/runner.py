"""The embedded worker: process every waiting return and change event, in this process.

Used when no broker is configured (the default): ``sbr-inbox process --until-idle`` and the
demo. Each return is decided in its own transaction, as a Celery task would, so one failure
loses nothing else and a rerun continues where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, select

from inbox.dispatch import Dispatched, unit_of_work
from inbox.effect_runs import run_effects
from inbox.outbox import batches
from inbox.process import pending_return_ids, process_batch
from inbox.redecide import redecide_changes
from models import OutboxMessage, session_scope

__all__ = ["IdleReport", "process_until_idle", "redecide_until_idle", "run_pending_effects"]


@dataclass
class IdleReport:
    """What a run did."""

    processed: int = 0
    change_events: int = 0
    redecided: int = 0
    effects: int = 0


def process_until_idle(
    engine: Engine,
    *,
    max_bytes: int,
    max_attempts: int = 3,
    on_return: Callable[[int, int], None] | None = None,
) -> IdleReport:
    """Process until no received return and no pending change event is left.

    A return whose processing raises is counted and tried again on the next pass, and rejected
    as ``internal`` at ``max_attempts``, so the loop always ends.
    ``on_return(done, waiting)`` is called after each return, for a progress bar.
    """
    report = IdleReport()
    while True:
        with session_scope(engine) as session:
            waiting = pending_return_ids(session)
        dispatched = Dispatched()
        left = list(waiting)
        while left:
            # The same batches a worker takes (process_batch): the first waiting return and
            # the next ones, one transaction.
            decided = {
                outcome.return_id
                for outcome in process_batch(
                    engine,
                    left[0],
                    max_bytes=max_bytes,
                    max_attempts=max_attempts,
                    dispatched=dispatched,
                )
            }
            left = [return_id for return_id in left[1:] if return_id not in decided]
            report.processed += len(decided)
            if on_return is not None:
                on_return(len(waiting) - len(left), len(waiting))
        events, changed = redecide_until_idle(engine, dispatched)
        report.change_events += events
        report.redecided += changed
        effects = run_pending_effects(engine, max_attempts=max_attempts)
        report.effects += effects + dispatched.effects
        if not waiting and not events and not effects:
            return report


def run_pending_effects(engine: Engine, *, max_attempts: int = 3) -> int:
    """Run every outbox effect not done (nor parked) yet, in batches of ``EFFECT_BATCH``
    returns per effect, as a Celery task would (``inbox.effect_runs``: a failing batch is run
    one by one, a failure counted, parked at ``max_attempts``); returns how many were run.
    A failed one is tried again on the next call, so a loop of calls ends."""
    with session_scope(engine) as session:
        pending = session.execute(
            select(OutboxMessage.task, OutboxMessage.return_id)
            .where(OutboxMessage.done_at.is_(None), OutboxMessage.failed_at.is_(None))
            .order_by(OutboxMessage.id)
        ).all()
    for task, return_ids in batches(pending):
        run_effects(engine, task, return_ids, max_attempts=max_attempts)
    return len(pending)


def redecide_until_idle(engine: Engine, dispatched: Dispatched | None = None) -> tuple[int, int]:
    """Handle every pending change event; returns (events handled, returns whose decision
    changed). Each pass is a unit of work: the effects of the returns it placed are handed on
    after its commit (to Celery, or run here)."""
    events = changed = 0
    while True:
        with unit_of_work(engine, dispatched) as session:
            report = redecide_changes(session)
        events += report.events
        changed += report.returns_changed
        if not report.events:
            return events, changed
