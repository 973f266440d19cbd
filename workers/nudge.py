"""Nudges: asking a worker to decide waiting returns, coalesced (issue 16).

A stored return needs no task of its own: a process task claims whatever waits, in batches
(:func:`inbox.process.process_batch`). So intake only *nudges*: after its commit it sends a
process task unless one is already queued and not yet started. A Redis key says so: set
(``SET NX``, with a short expiry as a safety net) by the nudge that sends the task, deleted by
the task when it starts, before it claims. A delivery committed while the key is set is
therefore claimed by the queued task; one committed after the task started sets the key again
and sends a new one. A burst of 10,000 deliveries costs a few dozen tasks, not 10,000.

A task that claims a full batch sends one follow-up right away, so that with more waiting a
second worker starts on the next batch while the first decides its own.

Nothing here can lose a return: every return is committed before any nudge, and the sweeper
re-sends whatever is still ``received`` after ``stuck_after_seconds`` (a lost task, a key
left behind by a crashed worker). A broker that is not Redis (tests' ``memory://``) gets one
task per nudge, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache

import redis
from celery import Celery

from workers.app import INBOX_QUEUE

__all__ = ["NUDGE_KEY", "NUDGE_TTL_SECONDS", "follow_up", "nudge", "nudge_taken"]

log = logging.getLogger(__name__)

#: Set while a process task is queued and has not started (per broker database).
NUDGE_KEY = "sbr-inbox:process-nudged"
#: The key expires by itself after this long: a worker that died between taking the task and
#: deleting the key delays the next nudge by at most this, never loses a return.
NUDGE_TTL_SECONDS = 10
PROCESS_TASK = "sbr.process_return"


@lru_cache(maxsize=8)
def _client(broker_url: str) -> redis.Redis | None:
    """The broker's Redis, for the nudge key (None for any other broker)."""
    if not broker_url.startswith(("redis://", "rediss://", "unix://")):
        return None
    return redis.Redis.from_url(broker_url, socket_timeout=5, socket_connect_timeout=5)


def nudge(app: Celery, return_ids: Sequence[int], *, force: bool = False) -> bool:
    """After a commit that stored ``return_ids``: send a process task unless one is queued
    already (``force``: send it anyway, as the sweeper does, which cannot trust a key left
    behind). True when a task was sent. Raises what the broker raises (the caller logs it;
    the sweeper re-sends)."""
    if not return_ids:
        return False
    client = _client(str(app.conf.broker_url))
    if client is not None:
        try:
            placed = client.set(NUDGE_KEY, 1, nx=not force, ex=NUDGE_TTL_SECONDS)
            if not placed:
                return False  # a queued task will claim these
        except redis.RedisError:
            log.warning("could not check the nudge key; sending a process task anyway")
            client = None
    try:
        app.send_task(PROCESS_TASK, args=[min(return_ids)], queue=INBOX_QUEUE)
    except Exception:
        if client is not None:
            # No task went: the next delivery must not think one is queued.
            _forget(client)
        raise
    return True


def nudge_taken(app: Celery) -> None:
    """A process task starts: deliveries from now on must nudge again (called before it
    claims, so that nothing committed before this call is left without a task)."""
    client = _client(str(app.conf.broker_url))
    if client is not None:
        _forget(client)


def follow_up(app: Celery) -> None:
    """A full batch was claimed, so more may wait: one more process task, now (a broker
    failure is logged; the sweeper re-sends what waits too long)."""
    try:
        app.send_task(PROCESS_TASK, args=[None], queue=INBOX_QUEUE)
    except Exception:
        log.exception("could not send a follow-up process task; the sweeper will")


def _forget(client: redis.Redis) -> None:
    try:
        client.delete(NUDGE_KEY)
    except redis.RedisError:  # it expires by itself
        log.warning("could not delete the nudge key; it expires in %d s", NUDGE_TTL_SECONDS)
