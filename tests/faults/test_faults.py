"""Faults on the real pipeline: every return reaches its final state exactly once.

Each test delivers a day of messages, injects its fault mid-run and lets the sweeper (beat,
every second here) and the workers recover; then 0 lost and 0 duplicated workflows or
documents. ``bench/faults.py`` runs the same scenarios with larger counts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.pipeline_fixtures import ADMIN_URL
from tests.support.harness import Pipeline, private_redis, run_fault

MESSAGES = 60


def _check(counts: dict[str, int], record_property: Callable[[str, object], None]) -> None:
    record_property("fault", counts)
    assert counts["lost"] == 0, counts
    assert counts["duplicated"] == 0, counts
    assert counts["returns"] >= MESSAGES


def test_sigkill_a_worker_mid_task(
    pipeline: Pipeline, record_property: Callable[[str, object], None]
) -> None:
    counts = run_fault(pipeline, "kill_worker", messages=MESSAGES)
    assert counts["kills"] == 1
    _check(counts, record_property)


def test_restart_postgresql_connections(
    pipeline: Pipeline, record_property: Callable[[str, object], None]
) -> None:
    counts = run_fault(pipeline, "restart_postgres", messages=MESSAGES, admin_url=ADMIN_URL)
    _check(counts, record_property)


def test_every_message_delivered_twice(
    pipeline: Pipeline, record_property: Callable[[str, object], None]
) -> None:
    _check(run_fault(pipeline, "deliver_twice", messages=MESSAGES), record_property)


def test_restart_redis_with_its_queues_gone(
    pipeline_database: str, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    with private_redis() as (url, restart):
        harness = Pipeline(pipeline_database, url, tmp_path)
        try:
            counts = run_fault(harness, "restart_redis", messages=MESSAGES, restart_redis=restart)
        finally:
            harness.stop_all()
    assert counts["restarts"] == 1
    _check(counts, record_property)
