"""Alembic, driven from code: the only way the schema is made, on PostgreSQL and SQLite alike.

``sbr-inbox db upgrade`` and the test fixtures call :func:`upgrade`; developers can also run the
``alembic`` command with the repository's ``alembic.ini``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:  # Alembic is imported when a migration runs, not by every CLI command
    from alembic.config import Config

__all__ = ["MIGRATIONS_DIR", "alembic_config", "check", "is_current", "newest_revision", "upgrade"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config for the database at ``url`` with our migration scripts."""
    from alembic.config import Config  # noqa: PLC0415

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would eat a '%' in a password.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (default: the newest)."""
    from alembic import command  # noqa: PLC0415

    command.upgrade(alembic_config(url), revision)


def check(url: str) -> None:
    """Raise when the models differ from what the migrations make (a missing migration)."""
    from alembic import command  # noqa: PLC0415

    command.check(alembic_config(url))


def newest_revision() -> str:
    """The newest migration's revision, read from the file names (``0010_...py`` is revision
    ``0010``; tests/models checks this agrees with Alembic's own head)."""
    names = sorted(path.name for path in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py"))
    return names[-1].split("_", 1)[0]


def is_current(engine: Engine) -> bool:
    """Whether the database is at the newest revision: one query, no Alembic import (the
    embedded database is checked before every CLI command)."""
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:  # no schema yet
        return False
    return found == newest_revision()
