"""The Celery app: Redis broker, JSON only, two queues, late acks, bounded retries, beat.

``workers`` is the only package that knows about queues. Tasks carry ids, never payloads, and
call the service functions of :mod:`inbox`; the database stays the source of truth, and the
sweeper (``sbr.sweep``, on beat) re-sends whatever a lost queue or a crash left behind.

Started with ``sbr-inbox worker`` / ``sbr-inbox beat`` (or ``celery -A workers.app ...``).
"""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab
from kombu import Queue

from config import Settings, get_settings

__all__ = ["EFFECTS_QUEUE", "INBOX_QUEUE", "RETRY_BACKOFF_MAX", "app", "make_app"]

INBOX_QUEUE = "inbox"
EFFECTS_QUEUE = "effects"
# Retries back off up to this many seconds: far below the visibility timeout, because Redis
# redelivers any message not acknowledged in time, and a task held back past it (a long
# countdown/eta) runs twice.
RETRY_BACKOFF_MAX = 60


def make_app(settings: Settings) -> Celery:
    """A Celery app for ``settings`` (the broker URL may be None: then only the config)."""
    if settings.visibility_timeout_seconds <= max(
        settings.task_time_limit_seconds, RETRY_BACKOFF_MAX, settings.stuck_after_seconds
    ):
        msg = (
            "SBR_INBOX_VISIBILITY_TIMEOUT_SECONDS must exceed the task time limit, the retry "
            "backoff and the sweeper's stuck-after age, or Redis would redeliver running tasks"
        )
        raise ValueError(msg)
    celery = Celery("sbr_inbox", include=["workers.tasks"])
    celery.conf.update(
        broker_url=settings.broker_url or "memory://",
        broker_connection_retry_on_startup=True,
        # With late acks an interrupted task is redelivered anyway; cancel it on connection loss
        # rather than let it finish and fail to acknowledge (Celery 6 default).
        worker_cancel_long_running_tasks_on_connection_loss=True,
        broker_transport_options={"visibility_timeout": settings.visibility_timeout_seconds},
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # A backstop only (KiB): a child that grew past it is replaced after its task.
        worker_max_memory_per_child=settings.worker_max_memory_mb * 1024,
        task_time_limit=settings.task_time_limit_seconds,
        task_soft_time_limit=max(1, settings.task_time_limit_seconds - 30),
        task_default_queue=INBOX_QUEUE,
        task_queues=(Queue(INBOX_QUEUE), Queue(EFFECTS_QUEUE)),
        task_routes={
            "sbr.start_workflow": {"queue": EFFECTS_QUEUE},
            "sbr.file_in_dossier": {"queue": EFFECTS_QUEUE},
        },
        # Flower shows workers and tasks from these events.
        worker_send_task_events=True,
        task_send_sent_event=True,
        beat_schedule={
            "sweep": {"task": "sbr.sweep", "schedule": settings.sweep_interval_seconds},
            # Daily, early; a missed day is caught up by the next run.
            "planner": {"task": "sbr.planner_run", "schedule": crontab(hour=2, minute=15)},
        },
        timezone="Europe/Amsterdam",
        enable_utc=True,
    )
    return celery


app = make_app(get_settings())
