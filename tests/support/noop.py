"""The Celery app with one task more, ``sbr.noop``, which does nothing.

``bench/pipeline.py`` measures Celery's own ceiling on this machine with it, through the same
Redis, worker options and concurrency as the real tasks (``Pipeline.start_worker(with_noop=
True)`` runs ``celery -A tests.support.noop worker``). It is not part of the product.
"""

from __future__ import annotations

import workers.tasks  # noqa: F401 - the real tasks: the benchmark's worker runs both
from workers.app import app

__all__ = ["app", "noop_task"]


@app.task(name="sbr.noop")
def noop_task() -> None:
    """Does nothing."""
