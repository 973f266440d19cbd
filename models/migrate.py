"""Alembic, driven from code: the only way the schema is made, on PostgreSQL and SQLite alike.

``sbr-inbox db upgrade`` and the test fixtures call :func:`upgrade`; developers can also run the
``alembic`` command with the repository's ``alembic.ini``.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

__all__ = ["MIGRATIONS_DIR", "alembic_config", "check", "upgrade"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config for the database at ``url`` with our migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would eat a '%' in a password.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (default: the newest)."""
    command.upgrade(alembic_config(url), revision)


def check(url: str) -> None:
    """Raise when the models differ from what the migrations make (a missing migration)."""
    command.check(alembic_config(url))
