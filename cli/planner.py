"""``sbr-inbox planner`` and ``sbr-inbox workflows`` (docs/contracts.md)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cli.render import json_array
from cli.session import cli_session
from crm.offices import resolve_office
from planner.periods import Period
from planner.queries import list_workflows
from planner.rules import create_workflow, deactivate_rule, run_planner, set_rule

__all__ = ["planner_app", "workflows_app"]

planner_app = typer.Typer(help="Planner rules and the planner run.", no_args_is_help=True)
workflows_app = typer.Typer(
    help="Workflows (one per relation, product, period).", no_args_is_help=True
)
OfficeOption = Annotated[str | None, typer.Option("--office", help="Office code.")]


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@planner_app.command(name="run")
def run_command(
    today: Annotated[
        str | None, typer.Option(help="Run as if it were this day (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Make every workflow whose creation moment has come (all offices); safe to repeat."""
    day = _date(today) if today else dt.date.today()
    with cli_session() as session:
        report = run_planner(session, day)
    typer.echo(
        f"planner run for {day}: {report.workflows_made} workflow(s) made "
        f"({report.rules} rule(s) due)"
    )


@planner_app.command(name="rule")
def rule_command(
    relation: Annotated[str, typer.Argument(help="Relation number.")],
    product: Annotated[str, typer.Argument(help="Product code, e.g. aangifte_ob.")],
    period: Annotated[str, typer.Option(help="month, quarter, year or four_weeks.")],
    first_period_start: Annotated[str, typer.Option(help="First period's start (YYYY-MM-DD).")],
    create_days_before_start: Annotated[int, typer.Option(help="Lead time in days.")] = 0,
    office: OfficeOption = None,
) -> None:
    """Create or change a relation's planner rule for a product."""
    with cli_session() as session:
        rule = set_rule(
            session,
            resolve_office(session, office),
            relation,
            product,
            period=period,
            first_period_start=_date(first_period_start),
            create_days_before_start=create_days_before_start,
        )
        typer.echo(
            f"planner rule {rule.id}: next period {rule.next_period_start}, "
            f"made on {rule.next_creation_on}"
        )


@planner_app.command(name="deactivate")
def deactivate_command(
    relation: Annotated[str, typer.Argument(help="Relation number.")],
    product: Annotated[str, typer.Argument(help="Product code.")],
    office: OfficeOption = None,
) -> None:
    """Stop a planner rule (workflows made so far stay)."""
    with cli_session() as session:
        deactivate_rule(session, resolve_office(session, office), relation, product)
    typer.echo("planner rule deactivated")


@workflows_app.command(name="list")
def list_command(
    office: OfficeOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="A JSON array (docs/contracts.md).")
    ] = False,
) -> None:
    """List the office's workflows with deadline, source, status and returns."""
    with cli_session() as session:
        chosen = resolve_office(session, office)
        records = list_workflows(session, chosen)
    if as_json:
        typer.echo(json_array(records))
        return
    table = Table(title=f"Workflows of {chosen.code}")
    for column in (
        "id",
        "relation",
        "product",
        "period",
        "deadline",
        "source",
        "status",
        "returns",
    ):
        table.add_column(column)
    for r in records:
        table.add_row(
            str(r.id),
            r.relation_number,
            r.product,
            f"{r.period_start}..{r.period_end}",
            r.deadline or "",
            r.source,
            r.status,
            ", ".join(map(str, r.return_ids)),
        )
    Console(width=max(120, Console().width)).print(table)


@workflows_app.command(name="create")
def create_command(
    relation: Annotated[str, typer.Argument(help="Relation number.")],
    product: Annotated[str, typer.Argument(help="Product code.")],
    start: Annotated[str, typer.Option(help="Period start (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option(help="Period end (YYYY-MM-DD).")],
    office: OfficeOption = None,
) -> None:
    """Make a workflow by hand, e.g. for a period that has already started."""
    with cli_session() as session:
        workflow = create_workflow(
            session,
            resolve_office(session, office),
            relation,
            product,
            Period(_date(start), _date(end)),
        )
        typer.echo(
            f"workflow {workflow.id} ({workflow.source.value}), deadline {workflow.deadline}"
        )
