"""``sbr-inbox watch`` (the drop folder) and ``sbr-inbox intake-key``."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Annotated

import typer

from cli.render import stdout_console
from cli.session import cli_engine, cli_session, fail
from cli.staff import ExpiresDays, secrets_table
from config import get_settings
from crm.offices import resolve_office
from inbox.dropfolder import DropFolder, DropFolderError
from inbox.keys import create_intake_key, list_intake_keys, revoke_intake_key

__all__ = ["intake_key_app", "watch_command"]


def watch_command(
    folder: Annotated[Path, typer.Argument(file_okay=False, help="The drop folder.")],
    office: Annotated[str | None, typer.Option("--office", help="Office code.")] = None,
    interval: Annotated[float, typer.Option(help="Seconds between scans.")] = 1.0,
    settle: Annotated[float, typer.Option(help="Unchanged this long = complete.")] = 2.0,
    once: Annotated[bool, typer.Option(help="Scan until idle, then stop (for scripts).")] = False,
) -> None:
    """Take complete files from FOLDER into the inbox; move them to processed/ or rejected/.

    Writers should write under a temporary name (.part, .tmp or a leading dot) and rename when
    done. Symbolic links and anything but regular files are skipped with a log line.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with cli_session() as session:
        chosen = resolve_office(session, office)
    try:
        watcher = DropFolder(
            folder, cli_engine(), chosen, get_settings().max_message_bytes, settle_seconds=settle
        )
    except DropFolderError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"watching {folder} for office {chosen.code} (Ctrl-C stops)", err=True)
    idle_scans = 0
    try:
        while True:
            taken = watcher.poll()
            for item in taken:
                typer.echo(f"{item.return_id}\t{item.name} -> {item.moved_to.parent.name}/")
            idle_scans = 0 if taken or watcher.waiting() else idle_scans + 1
            if once and idle_scans >= 2:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)


intake_key_app = typer.Typer(help="Intake keys: make (default), list, revoke.")


@intake_key_app.callback(invoke_without_command=True)
def intake_key_command(
    ctx: typer.Context,
    office: Annotated[str | None, typer.Option("--office", help="Office code.")] = None,
    expires_days: ExpiresDays = None,
) -> None:
    """Print a new intake key for the office (shown once; the HTTP intake's X-Intake-Key)."""
    if ctx.invoked_subcommand is not None:
        return
    if office is None:
        raise fail("give --office CODE of the office the key is for")
    expires = None if expires_days is None else dt.timedelta(days=expires_days)
    with cli_session() as session:
        chosen = resolve_office(session, office)
        typer.echo(create_intake_key(session, chosen, expires_in=expires))


@intake_key_app.command(name="list")
def intake_key_list_command(
    office: Annotated[str, typer.Option("--office", help="Office code.")],
) -> None:
    """The office's intake keys by id (the keys themselves are never stored)."""
    with cli_session() as session:
        chosen = resolve_office(session, office)
        table = secrets_table(f"intake keys of {chosen.code}", list_intake_keys(session, chosen))
    stdout_console().print(table)


@intake_key_app.command(name="revoke")
def intake_key_revoke_command(
    office: Annotated[str, typer.Option("--office", help="Office code.")],
    key_id: Annotated[int, typer.Argument(help="The id from `intake-key list`.")],
) -> None:
    """Revoke one intake key: deliveries with it are refused (401) from now on."""
    with cli_session() as session:
        revoke_intake_key(session, resolve_office(session, office), key_id)
        typer.echo(f"intake key {key_id} of {office} revoked")
