"""``sbr-inbox staff ...``: staff members, their passwords, sessions and API tokens.

``staff token --email E`` prints a new token, as before; ``staff token list`` and
``staff token revoke`` manage them without SQL. Passwords are always read from standard input
(one line), never from the command line, where other users of the machine could see them.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from typing import Annotated, Protocol

import typer
from rich.table import Table

from cli.render import stdout_console
from cli.session import cli_session, fail
from crm.offices import get_office
from crm.staff import (
    add_staff,
    end_sessions,
    issue_token,
    list_tokens,
    remove_staff,
    revoke_token,
    set_password,
)

__all__ = ["ExpiresDays", "secrets_table", "staff_app"]

staff_app = typer.Typer(help="Staff users of the review API and page.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens: make (default), list, revoke.")
staff_app.add_typer(token_app, name="token")

Email = Annotated[str, typer.Option("--email", help="The staff member's sign-in e-mail.")]


# The ``--expires-days`` option shared by tokens and intake keys.
ExpiresDays = Annotated[
    int | None,
    typer.Option(
        "--expires-days", min=1, max=3650, help="Refuse it after this many days (default: never)."
    ),
]


def _password() -> str:
    password = sys.stdin.readline().rstrip("\n")
    if not password:
        raise fail("give the password on standard input")
    return password


@staff_app.command(name="add")
def add_command(
    office: Annotated[str, typer.Option("--office", help="Office code.")],
    email: Email,
    member: Annotated[
        str | None,
        typer.Option(help="Their team member code (the planbord's 'mijn werk')."),
    ] = None,
) -> None:
    """Add a staff member; the password is read from standard input (one line)."""
    password = _password()
    with cli_session() as session:
        user = add_staff(session, get_office(session, office), email, password, member=member)
        typer.echo(f"staff member {user.email} added to {office}")


@staff_app.command(name="password")
def password_command(email: Email) -> None:
    """Set a new password (read from standard input); the member's sessions end."""
    password = _password()
    with cli_session() as session:
        user = set_password(session, email, password)
        typer.echo(f"new password set for {user.email}; their sessions have ended")


@staff_app.command(name="sign-out")
def sign_out_command(email: Email) -> None:
    """End every page session of the staff member (tokens stay: revoke those separately)."""
    with cli_session() as session:
        user = end_sessions(session, email)
        typer.echo(f"every session of {user.email} has ended")


@staff_app.command(name="remove")
def remove_command(email: Email) -> None:
    """Remove the staff member with their tokens; their sessions end at once."""
    with cli_session() as session:
        remove_staff(session, email)
        typer.echo(f"staff member {email} removed")


@token_app.callback(invoke_without_command=True)
def token_command(
    ctx: typer.Context,
    email: Annotated[str | None, typer.Option("--email", help="Staff e-mail.")] = None,
    expires_days: ExpiresDays = None,
) -> None:
    """Print a new bearer token for the API (shown once)."""
    if ctx.invoked_subcommand is not None:
        return
    if email is None:
        raise fail("give --email of the staff member the token is for")
    expires = None if expires_days is None else dt.timedelta(days=expires_days)
    with cli_session() as session:
        typer.echo(issue_token(session, email, expires_in=expires))


@token_app.command(name="list")
def token_list_command(email: Email) -> None:
    """The member's tokens by id (the tokens themselves are never stored)."""
    with cli_session() as session:
        tokens = list_tokens(session, email)
        table = secrets_table(f"API tokens of {email}", tokens)
    stdout_console().print(table)


@token_app.command(name="revoke")
def token_revoke_command(
    email: Email, token_id: Annotated[int, typer.Argument(help="The id from `token list`.")]
) -> None:
    """Revoke one token: requests with it are refused from now on."""
    with cli_session() as session:
        revoke_token(session, email, token_id)
        typer.echo(f"token {token_id} of {email} revoked")


class _Secret(Protocol):
    id: int
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


def secrets_table(title: str, rows: Sequence[_Secret]) -> Table:
    """Tokens or intake keys: id, state and dates (never the secret)."""
    now = dt.datetime.now(dt.UTC)
    table = Table(title=title)
    for column in ("id", "state", "created", "expires", "revoked"):
        table.add_column(column, no_wrap=column != "state")
    for row in rows:
        expires = None if row.expires_at is None else _aware(row.expires_at)
        state = (
            "revoked"
            if row.revoked_at is not None
            else "expired"
            if expires is not None and expires <= now
            else "live"
        )
        table.add_row(
            str(row.id),
            state,
            _day(row.created_at),
            _day(row.expires_at) if row.expires_at else "never",
            _day(row.revoked_at) if row.revoked_at else "",
        )
    return table


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite gives naive UTC back.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _day(moment: dt.datetime | None) -> str:
    return "" if moment is None else _aware(moment).strftime("%Y-%m-%d %H:%M UTC")
