"""The database for a CLI command: the settings' URL, migrated when it is the embedded default."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import typer
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from config import get_settings
from crm.errors import CrmError
from inbox.dispatch import Dispatched, unit_of_work
from inbox.errors import InboxError
from models.db import make_engine
from models.migrate import is_current, upgrade
from planner.errors import PlannerError

__all__ = ["cli_engine", "cli_session", "fail"]


@lru_cache(maxsize=1)
def cli_engine() -> Engine:
    """The engine of the settings' database (the embedded SQLite file is made on first use)."""
    url = get_settings().database_url
    parsed = make_url(url)
    engine = make_engine(url)
    if parsed.get_backend_name() == "sqlite" and not is_current(engine):
        # The embedded default must just work on a fresh machine: make or migrate the file.
        # A server database is migrated by the operator (`sbr-inbox db upgrade`), never here.
        upgrade(url)
    return engine


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` to stderr and return the exit to raise."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


@contextmanager
def cli_session(dispatched: Dispatched | None = None) -> Iterator[Session]:
    """A unit of work (committed, then what it asks for handed on: inbox.dispatch); domain
    errors become a clear message and exit code 1."""
    try:
        with unit_of_work(cli_engine(), dispatched) as session:
            yield session
    except (CrmError, InboxError, PlannerError) as exc:
        raise fail(str(exc)) from None
    except (OperationalError, ProgrammingError) as exc:
        raise fail(
            f"database error: {exc.orig or exc}. Is the database up and migrated"
            " (`sbr-inbox db upgrade`)?"
        ) from None
