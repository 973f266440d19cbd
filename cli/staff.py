"""``sbr-inbox staff add`` and ``staff token`` (DESIGN.md 4a)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cli.session import cli_session, fail
from crm.offices import get_office
from crm.staff import add_staff, issue_token

__all__ = ["staff_app"]

staff_app = typer.Typer(help="Staff users of the review API and page.", no_args_is_help=True)


@staff_app.command(name="add")
def add_command(
    office: Annotated[str, typer.Option("--office", help="Office code.")],
    email: Annotated[str, typer.Option("--email", help="Sign-in e-mail.")],
) -> None:
    """Add a staff member; the password is read from standard input (one line)."""
    password = sys.stdin.readline().rstrip("\n")
    if not password:
        raise fail("give the password on standard input")
    with cli_session() as session:
        user = add_staff(session, get_office(session, office), email, password)
        typer.echo(f"staff member {user.email} added to {office}")


@staff_app.command(name="token")
def token_command(email: Annotated[str, typer.Option("--email", help="Staff e-mail.")]) -> None:
    """Print a new bearer token for the API (shown once)."""
    with cli_session() as session:
        typer.echo(issue_token(session, email))
