"""``sbr-inbox ingest``, ``process`` and ``returns``: the inbox from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from cli.render import json_array, progress_bar
from cli.session import cli_engine, cli_session, fail
from config import get_settings
from crm.offices import resolve_office
from inbox.intake import receive
from inbox.queries import get_return, history_records, list_returns
from inbox.records import ReturnRecord
from inbox.runner import IdleReport, process_until_idle
from models import ReturnStatus

__all__ = ["ingest_command", "process_command", "returns_app", "run_embedded"]

returns_app = typer.Typer(help="Received returns and their decisions.", no_args_is_help=True)

OfficeOption = Annotated[
    str | None, typer.Option("--office", help="Office code (needed when there are several).")
]


def ingest_command(
    paths: Annotated[list[Path], typer.Argument(exists=True, help="Files or folders.")],
    office: OfficeOption = None,
) -> None:
    """Put files (or every file in folders) into the inbox as received returns; prints ids."""
    files = sorted(
        {
            file
            for path in paths
            for file in ([path] if path.is_file() else path.rglob("*"))
            if file.is_file()
        }
    )
    if not files:
        raise fail("no files found")
    with cli_session() as session:
        chosen = resolve_office(session, office)
        ids = [receive(session, chosen, file.read_bytes(), file.name).id for file in files]
    # Printed after the commit (which also sent them to be decided): an id printed is stored.
    for return_id in ids:
        typer.echo(return_id)


def process_command(
    until_idle: Annotated[
        bool, typer.Option("--until-idle", help="Run until no work is left (the only mode).")
    ] = True,
) -> None:
    """Decide every received return and re-decide after relation changes (embedded worker)."""
    if not until_idle:
        raise fail("only --until-idle is supported; `sbr-inbox worker` runs continuously")
    report = run_embedded(cli_engine())
    typer.echo(
        f"processed {report.processed} return(s); {report.change_events} change event(s) "
        f"handled, {report.redecided} return(s) decided again"
    )


def run_embedded(engine: Engine, description: str = "Processing returns") -> IdleReport:
    """The embedded worker until idle, with a progress bar."""
    with progress_bar() as progress:
        task = progress.add_task(description, total=None)
        return process_until_idle(
            engine,
            max_bytes=get_settings().max_message_bytes,
            max_attempts=get_settings().max_attempts,
            on_return=lambda done, total: progress.update(task, completed=done, total=total),
        )


@returns_app.command(name="list")
def list_command(
    office: OfficeOption = None,
    status: Annotated[ReturnStatus | None, typer.Option(help="Only this status.")] = None,
    reason: Annotated[str | None, typer.Option(help="Only this reason code.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="A JSON array (docs/contracts.md).")
    ] = False,
) -> None:
    """List the office's returns with status, reason and where they were placed."""
    with cli_session() as session:
        chosen = resolve_office(session, office)
        records = list_returns(session, chosen, status=status, reason=reason)
    if as_json:
        typer.echo(json_array(records))
        return
    table = Table(title=f"Returns of {chosen.code}")
    for column in ("id", "file", "kind", "identifier", "period", "status", "reason", "relation"):
        table.add_column(column)
    for record in records:
        table.add_row(
            str(record.id),
            record.file or "",
            record.kind or "",
            record.identifier or "",
            _period(record),
            record.status,
            record.reason or "",
            record.relation_number or "",
        )
    Console(width=max(120, Console().width)).print(table)


@returns_app.command(name="show")
def show_command(
    return_id: Annotated[int, typer.Argument(help="The return's id.")],
    office: OfficeOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="The record plus its history.")] = False,
) -> None:
    """Show one return: what was read, where it went or why not, and its decision history."""
    with cli_session() as session:
        chosen = resolve_office(session, office)
        record = get_return(session, chosen, return_id)
        events = history_records(session, chosen, return_id)
    if as_json:
        shown = {**record.model_dump(), "history": [event.model_dump() for event in events]}
        typer.echo(json.dumps(shown, ensure_ascii=False, indent=2))
        return
    console = Console(width=max(120, Console().width))
    console.print(_details(record))
    table = Table(title="History")
    for column in ("at", "actor", "trigger", "rule", "status", "reason", "why"):
        table.add_column(column)
    for event in events:
        table.add_row(
            event.at[:19],
            event.actor,
            event.trigger,
            "" if event.rule is None else str(event.rule),
            event.status,
            event.reason or "",
            event.remark or event.explanation_en or "",
        )
    console.print(table)


def _period(record: ReturnRecord) -> str:
    if not record.period_start:
        return ""
    return f"{record.period_start}..{record.period_end}"


def _details(record: ReturnRecord) -> Table:
    table = Table(title=f"Return {record.id}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for key, value in record.model_dump().items():
        if value not in (None, "") and key != "id":
            table.add_row(key, str(value))
    return table
