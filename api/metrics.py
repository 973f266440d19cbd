"""``GET /metrics``: Prometheus metrics read from the source of truth at scrape time.

Counts come from the database (so every process's work is counted, whichever process did it):
returns by status and reason, effects parked after failing too often, the bytes of the
messages stored per office, and the end-to-end latency (received -> decided) of the last hour.
Queue depth is read from Redis. Celery's per-task runtimes are on Flower's own ``/metrics``.

The metrics name every office and its volumes, so they are not public: the scraper sends
``Authorization: Bearer $SBR_INBOX_METRICS_TOKEN``; without that setting ``/metrics`` answers
404 (as if it did not exist). A token rather than a second port: one process, one port for the
proxy to keep away from the internet, and the scrape stays one GROUP BY query.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator

from fastapi import APIRouter, Request, Response
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select

from api.guards import bearer_token
from config import get_settings
from models import InboxReturn, Office, OutboxMessage, RawMessage, session_scope

__all__ = ["router"]

router = APIRouter(tags=["operations"])


class InboxCollector(Collector):
    """Collects the inbox's gauges on each scrape."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        returns = GaugeMetricFamily(
            "sbr_inbox_returns",
            "Returns by office, status and reason (received = waiting to be decided).",
            labels=["office", "status", "reason"],
        )
        with session_scope(self.engine) as session:
            rows = session.execute(
                select(Office.code, InboxReturn.status, InboxReturn.reason, func.count())
                .join(Office, Office.id == InboxReturn.office_id)
                .group_by(Office.code, InboxReturn.status, InboxReturn.reason)
            )
            for code, state, reason, count in rows:
                returns.add_metric([code, state.value, reason or ""], count)
            # Effects parked after failing SBR_INBOX_MAX_ATTEMPTS times wait for staff: an
            # alert on this gauge, not a log line, is how operations hear of them.
            parked = GaugeMetricFamily(
                "sbr_inbox_effects_parked",
                "Effects parked after failing too often, by office and task.",
                labels=["office", "task"],
            )
            for code, task, count in session.execute(
                select(Office.code, OutboxMessage.task, func.count())
                .join(Office, Office.id == OutboxMessage.office_id)
                .where(OutboxMessage.failed_at.is_not(None))
                .group_by(Office.code, OutboxMessage.task)
            ):
                parked.add_metric([code, task], count)
            # The disk each office's messages take (each stored once, however often it was
            # delivered): what the intake keys' volume quotas bound (issue 22, item 8). One
            # aggregate over raw_message's own rows; the bytes themselves are not read.
            stored = GaugeMetricFamily(
                "sbr_inbox_stored_bytes",
                "Bytes of the messages stored, by office.",
                labels=["office"],
            )
            for code, size in session.execute(
                select(Office.code, func.sum(RawMessage.size))
                .join(Office, Office.id == RawMessage.office_id)
                .group_by(Office.code)
            ):
                stored.add_metric([code], int(size or 0))
        yield returns
        yield parked
        yield stored
        depth = GaugeMetricFamily(
            "sbr_inbox_queue_depth", "Messages waiting in each Celery queue.", labels=["queue"]
        )
        for queue, length in _queue_lengths().items():
            depth.add_metric([queue], length)
        yield depth


def _queue_lengths() -> dict[str, int]:
    url = get_settings().broker_url
    if url is None:
        return {}
    import redis  # noqa: PLC0415 - only with a broker

    client = redis.Redis.from_url(url, socket_timeout=2)
    try:
        return {queue: int(client.llen(queue)) for queue in ("inbox", "effects")}
    except redis.RedisError:
        return {}
    finally:
        client.close()


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus text format, for a caller with the metrics token."""
    expected = get_settings().metrics_token
    if not expected:
        return Response(status_code=404)
    given = bearer_token(request.scope["headers"])
    if given is None or not secrets.compare_digest(given.encode(), expected.encode()):
        return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
    registry = CollectorRegistry()
    registry.register(InboxCollector(request.app.state.engine))
    return Response(generate_latest(registry), media_type="text/plain; version=0.0.4")
