"""``sbr-inbox relations``: import, export and show an office's client records.

The document and its rules: docs/contracts.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.render import progress_bar, stage_progress
from cli.session import cli_session, fail
from crm.contacts import create_relation_from_contact
from crm.csv_rows import CsvError, document_from_csv
from crm.errors import InvalidRowsError, RowError
from crm.export import export_lines, relation_document
from crm.importer import ImportReport, import_relations
from crm.offices import resolve_office
from crm.queries import dossier_folders, get_relation, timeline
from crm.warnings import relation_warnings
from inbox.dispatch import Dispatched

__all__ = ["relations_app"]

relations_app = typer.Typer(help="The office's client records.", no_args_is_help=True)

OfficeOption = Annotated[
    str | None, typer.Option("--office", help="Office code (needed when there are several).")
]
_STAGES = {"validate": "Checking rows", "write": "Writing relations"}


@relations_app.command(name="import")
def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    office: OfficeOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import relations from JSON (docs/contracts.md) or CSV; all or nothing.

    A CSV file has one relation per row with the document's keys as columns (dotted for nested
    values: fiscal_numbers.0.value) and needs --office. Existing relation numbers are updated.
    """
    data = _read(file, office)
    if office is not None and data.get("office") != office:
        raise fail(f"the file is for office {data.get('office')!r}, not {office!r}")
    errors: list[RowError] = []
    report: ImportReport | None = None
    # After the commit the returns the changes may resolve are decided again (embedded: now).
    dispatched = Dispatched()
    with cli_session(dispatched) as session, progress_bar() as progress:
        try:
            report = import_relations(session, data, progress=stage_progress(progress, _STAGES))
        except InvalidRowsError as exc:
            errors = exc.errors
    redecided = dispatched.redecided
    if as_json:
        typer.echo(
            json.dumps(
                {**_report_json(report, errors), "returns_redecided": redecided},
                ensure_ascii=False,
            )
        )
    elif report is not None:
        typer.echo(
            f"office {report.office}: {report.created} created, {report.updated} updated,"
            f" {report.unchanged} unchanged; {report.change_events} change event(s) recorded"
        )
        for warning in report.warnings:
            typer.secho(f"warning: {warning}", err=True, fg=typer.colors.YELLOW)
        if redecided:
            typer.echo(f"{redecided} waiting return(s) decided again after the changes")
    else:
        for error in errors:
            typer.echo(str(error), err=True)
    if errors:
        raise fail(f"{len(errors)} problem(s) in {file}; nothing was imported")


@relations_app.command(name="export")
def export_command(
    office: OfficeOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
) -> None:
    """Export every relation of the office as JSON (docs/contracts.md); import restores it."""
    with cli_session() as session:
        chosen = resolve_office(session, office)
        stream = sys.stdout if output is None else output.open("w", encoding="utf-8")
        try:
            for line in export_lines(session, chosen):
                stream.write(line + "\n")
        finally:
            if output is not None:
                stream.close()


@relations_app.command(name="show")
def show_command(
    number: Annotated[str, typer.Argument(help="The relation number.")],
    office: OfficeOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the relation document.")] = False,
) -> None:
    """Show one relation: details, fiscal numbers with SBR settings, products, people, dossier."""
    with cli_session() as session:
        chosen = resolve_office(session, office)
        relation = get_relation(session, chosen, number)
        document = relation_document(relation)
        if as_json:
            typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
            return
        console = Console(width=max(100, Console().width))
        console.print(_details(document))
        console.print(_fiscal_numbers(document))
        for warning in relation_warnings(relation):
            typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW)
        folders = dossier_folders(session, chosen, number)
        names = {folder.id: folder.name for folder in folders}
        console.print(
            "[bold]Dossier:[/] "
            + ", ".join(
                f"{names[f.parent_id]} > {f.name}" if f.parent_id else f.name for f in folders
            )
        )
        console.print("[bold]Timeline[/] (newest first):")
        for event in timeline(session, chosen, number, limit=10):
            console.print(f"  {event.at:%Y-%m-%d %H:%M}  {event.text}")


@relations_app.command(name="from-contact")
def from_contact_command(
    contact: Annotated[str, typer.Argument(help="The contact's number.")],
    organisation: Annotated[
        str | None, typer.Option(help="The organisation to copy the BSN/RSIN from.")
    ] = None,
    office: OfficeOption = None,
) -> None:
    """Create a person relation from a contact, copying the organisation's BSN/RSIN."""
    with cli_session() as session:
        chosen = resolve_office(session, office)
        try:
            relation, warnings = create_relation_from_contact(
                session, chosen, contact, organisation_number=organisation
            )
        except InvalidRowsError as exc:
            for error in exc.errors:
                typer.echo(str(error), err=True)
            raise fail("the contact's data does not make a valid person relation") from None
        typer.echo(f"relation {relation.number} created")
        for warning in warnings:
            typer.secho(f"warning: {warning}", err=True, fg=typer.colors.YELLOW)


def _read(file: Path, office: str | None) -> dict[str, Any]:
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(f"{file} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if file.suffix.lower() == ".csv":
        if office is None:
            raise fail("a CSV file names no office: pass --office CODE")
        try:
            return document_from_csv(text, office)
        except CsvError as exc:
            raise fail(f"{file}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(f"{file} is not valid JSON: {exc}") from None
    except RecursionError:
        raise fail(f"{file} is nested too deeply to be a relations document") from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise fail(f"{file} holds a value that cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise fail(f"{file} must hold one JSON object with 'office' and 'relations'")
    return data


def _report_json(report: ImportReport | None, errors: list[RowError]) -> dict[str, Any]:
    if report is None:
        return {
            "status": "rejected",
            "errors": [
                {"index": e.index, "number": e.number, "field": e.field, "message": e.message}
                for e in errors
            ],
        }
    return {
        "status": "imported",
        "office": report.office,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "change_events": report.change_events,
        "warnings": report.warnings,
        "errors": [],
    }


def _details(document: dict[str, Any]) -> Table:
    table = Table(title=f"Relation {document['number']}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for key, value in document.items():
        if value not in (None, [], "") and key not in ("fiscal_numbers", "number"):
            table.add_row(key, _plain_text(value))
    return table


def _plain_text(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(str(v) for v in value.values() if v not in (None, ""))
    if isinstance(value, list):
        return "; ".join(_plain_text(item) for item in value)
    return str(value)


def _fiscal_numbers(document: dict[str, Any]) -> Table:
    table = Table(title="Fiscal numbers")
    for column in ("type", "value", "SBR", "start date", "iDEAL"):
        table.add_column(column)
    for number in document["fiscal_numbers"]:
        table.add_row(
            number["type"],
            number["value"],
            "on" if number["sbr_enabled"] else "off",
            number["sbr_start_date"] or "-",
            "yes" if number["sbr_ideal"] else "no",
        )
    return table
