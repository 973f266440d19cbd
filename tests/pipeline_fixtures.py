"""Pipeline fixtures (a pytest plugin): real processes on real servers, a Redis db of our own.

The machine's Redis (127.0.0.1:6379) is shared by parallel runs, so each run claims a free db
number (1-15) with SET NX and flushes only that db. Fault tests that restart Redis use a
private redis-server instead (``tests.support.harness.private_redis``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from models.migrate import upgrade
from tests.support.harness import Pipeline
from tests.support.scratch import DEFAULT_ADMIN_URL, scratch_postgres_database

REDIS = os.environ.get("SBR_INBOX_TEST_REDIS", "redis://127.0.0.1:6379")
ADMIN_URL = os.environ.get("SBR_INBOX_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)
CLAIM = "sbr-inbox-test-claim"


@pytest.fixture
def machine_redis_url() -> Iterator[str]:
    """A db number on the machine's Redis, claimed for this test and flushed around it."""
    for db in range(1, 16):
        client = redis.Redis.from_url(f"{REDIS}/{db}")
        try:
            claimed = client.set(CLAIM, str(os.getpid()), nx=True, ex=3600)
        except redis.ConnectionError as exc:
            pytest.fail(f"Redis at {REDIS} is not reachable ({exc}); start it (see README)")
        if claimed:
            client.flushdb()
            client.set(CLAIM, str(os.getpid()), ex=3600)
            try:
                yield f"{REDIS}/{db}"
            finally:
                client.flushdb()
                client.close()
            return
        client.close()
    pytest.fail("no free Redis db number (1-15) to claim")


@pytest.fixture
def pipeline_database() -> Iterator[str]:
    """A migrated scratch PostgreSQL database for this test."""
    with scratch_postgres_database(ADMIN_URL, "sbr_inbox_pipeline") as url:
        upgrade(url)
        yield url


@pytest.fixture
def pipeline(pipeline_database: str, machine_redis_url: str, tmp_path: Path) -> Iterator[Pipeline]:
    """Processes on this test's database and Redis db; all stopped afterwards."""
    harness = Pipeline(pipeline_database, machine_redis_url, tmp_path)
    try:
        yield harness
    finally:
        harness.stop_all()
