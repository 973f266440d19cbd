"""Throwaway PostgreSQL databases, for the test suite and the benchmarks.

Each caller gets a database of its own, created on the server named by an admin URL and dropped
(with its connections) afterwards, so parallel test workers and a benchmark running beside the
tests cannot see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

__all__ = ["DEFAULT_ADMIN_URL", "scratch_postgres_database"]

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def scratch_postgres_database(admin_url: str, prefix: str = "sbr_inbox_scratch") -> Iterator[str]:
    """Create an empty database next to ``admin_url``'s, yield its URL, drop it at the end."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
