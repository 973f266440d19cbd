"""``sbr-inbox office``: add and list offices (the tenants)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select

from cli.session import cli_session
from crm.offices import add_office
from models import Office

__all__ = ["office_app"]

office_app = typer.Typer(help="Offices (the tenants).", no_args_is_help=True)


@office_app.command(name="add")
def add_command(
    code: Annotated[str, typer.Argument(help="Short code, e.g. 'demo'.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
) -> None:
    """Create an office with the standard product catalogue."""
    with cli_session() as session:
        office = add_office(session, code, name)
        typer.echo(f"office {office.code} created")


@office_app.command(name="list")
def list_command() -> None:
    """Print every office code and name."""
    with cli_session() as session:
        for office in session.scalars(select(Office).order_by(Office.code)):
            typer.echo(f"{office.code}\t{office.name}")
