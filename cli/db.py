"""``sbr-inbox db upgrade``: create or migrate the database named by the settings."""

from __future__ import annotations

import typer
from sqlalchemy.engine import make_url

from config import get_settings
from models.migrate import upgrade

__all__ = ["db_app"]

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command(name="upgrade")
def upgrade_command() -> None:
    """Create the schema, or migrate it to the newest version (safe to run again)."""
    url = get_settings().database_url
    upgrade(url)
    typer.echo(f"database is at the newest schema: {_without_password(url)}")


def _without_password(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
