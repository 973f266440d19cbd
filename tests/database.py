"""Database fixtures (a pytest plugin): every test using them runs on SQLite *and* PostgreSQL.

Each test session (each xdist worker) gets its own PostgreSQL database, made by Alembic (the only
way the schema is made) and dropped at the end, so concurrent runs cannot disturb each other.
Each test runs inside a transaction that is rolled back, joined by the session through a
SAVEPOINT, so tests may commit without leaking rows. The admin URL can be changed with
``SBR_INBOX_TEST_POSTGRES_URL``; a PostgreSQL that is down fails the run (CI starts it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from models.db import make_engine
from models.migrate import upgrade
from tests.support.scratch import DEFAULT_ADMIN_URL, scratch_postgres_database

ADMIN_URL = os.environ.get("SBR_INBOX_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)


def _postgres_database() -> Iterator[str]:
    try:
        with scratch_postgres_database(ADMIN_URL, "sbr_inbox_test") as url:
            yield url
    except OperationalError as exc:
        pytest.fail(f"PostgreSQL at {ADMIN_URL} is not usable ({exc}); start it (see README)")


def _migrated_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if backend == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "sbr-inbox.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield url
    else:
        for url in _postgres_database():
            upgrade(url)
            yield url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty database of each backend, for this test session only.

    Only the rolled-back ``session`` fixture may write to it; a test whose code commits through
    its own connections (a subprocess, a worker) takes ``own_database_url`` instead.
    """
    yield from _migrated_database(request.param, tmp_path_factory)


@pytest.fixture(params=["sqlite", "postgresql"])
def own_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty database of each backend for this one test, dropped after it."""
    yield from _migrated_database(request.param, tmp_path_factory)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database of each backend shared by one module's tests, which must only read
    (or change nothing another test of the module looks at)."""
    yield from _migrated_database(request.param, tmp_path_factory)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work, committed or not, is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint") as db:
            yield db
        transaction.rollback()
