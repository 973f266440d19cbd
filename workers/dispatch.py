"""The Celery side of the unit of work (:mod:`inbox.dispatch`): after a commit, send the ids.

Installed in every process that has a broker. A send that fails is logged and not raised: the
work is committed (a ``received`` return, an outbox row, a change event), and the sweeper sends
it later, so the caller's answer (a 202, a decision) stands.
"""

from __future__ import annotations

import logging

from celery import Celery
from sqlalchemy import Engine

from inbox.dispatch import Dispatched
from inbox.outbox import EFFECTS, batches
from models.pending import Pending
from workers.app import EFFECTS_QUEUE, INBOX_QUEUE, app
from workers.nudge import nudge

__all__ = ["CeleryDispatcher"]

log = logging.getLogger(__name__)


class CeleryDispatcher:
    """Sends a process nudge, effect and re-decide tasks by name (ids only), through this
    process's app (or ``celery``: a test's own broker)."""

    def __init__(self, celery: Celery | None = None) -> None:
        self.app = celery or app

    def send(self, engine: Engine, pending: Pending) -> Dispatched:  # noqa: ARG002 - protocol
        """Send every task ``pending`` asks for; log (never raise) a broker failure."""
        try:
            # One nudge, not a task per return: a process task claims whatever waits.
            nudge(self.app, pending.process)
            # One task per effect for all the returns this commit placed (in batches).
            placed = [(task, return_id) for task in EFFECTS for return_id in pending.effects]
            for task, return_ids in batches(placed):
                self.app.send_task(f"sbr.{task}", args=[return_ids], queue=EFFECTS_QUEUE)
            if pending.redecide:
                self.app.send_task("sbr.redecide", queue=INBOX_QUEUE)
        except Exception:  # committed work: the sweeper sends what did not go
            log.exception("could not send after commit (%s); the sweeper will", pending)
        return Dispatched()
