"""``sbr-inbox watch`` (the drop folder) and ``sbr-inbox intake-key``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from api.dispatch import dispatch_returns
from cli.session import cli_engine, cli_session
from config import get_settings
from crm.offices import resolve_office
from inbox.dropfolder import DropFolder
from inbox.keys import create_intake_key

__all__ = ["intake_key_command", "watch_command"]


def watch_command(
    folder: Annotated[Path, typer.Argument(file_okay=False, help="The drop folder.")],
    office: Annotated[str | None, typer.Option("--office", help="Office code.")] = None,
    interval: Annotated[float, typer.Option(help="Seconds between scans.")] = 1.0,
    settle: Annotated[float, typer.Option(help="Unchanged this long = complete.")] = 2.0,
    once: Annotated[bool, typer.Option(help="Scan until idle, then stop (for scripts).")] = False,
) -> None:
    """Take complete files from FOLDER into the inbox; move them to processed/ or rejected/."""
    folder.mkdir(parents=True, exist_ok=True)
    with cli_session() as session:
        chosen = resolve_office(session, office)
    watcher = DropFolder(
        folder, cli_engine(), chosen, get_settings().max_message_bytes, settle_seconds=settle
    )
    typer.echo(f"watching {folder} for office {chosen.code} (Ctrl-C stops)", err=True)
    idle_scans = 0
    try:
        while True:
            taken = watcher.poll()
            for item in taken:
                typer.echo(f"{item.return_id}\t{item.path.name} -> {item.moved_to.parent.name}/")
            dispatch_returns([item.return_id for item in taken])
            idle_scans = 0 if taken or watcher.waiting() else idle_scans + 1
            if once and idle_scans >= 2:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)


def intake_key_command(
    office: Annotated[str, typer.Option("--office", help="Office code.")],
) -> None:
    """Print a new intake key for the office (shown once; the HTTP intake's X-Intake-Key)."""
    with cli_session() as session:
        chosen = resolve_office(session, office)
        typer.echo(create_intake_key(session, chosen))
