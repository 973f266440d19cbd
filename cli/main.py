"""The ``sbr-inbox`` console script: one Typer app, each command group in its own module."""

from __future__ import annotations

import typer

from cli import demo, inbox, parse, pipeline, processes
from cli.db import db_app
from cli.office import office_app
from cli.planner import planner_app, workflows_app
from cli.relations import relations_app
from cli.staff import staff_app

app = typer.Typer(
    name="sbr-inbox",
    help="SBR inbox processor: read incoming tax returns and place them with the right client.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command(name="parse")(parse.parse_command)
app.command(name="demo")(demo.demo_command)
app.add_typer(db_app, name="db")
app.add_typer(office_app, name="office")
app.add_typer(relations_app, name="relations")
app.command(name="ingest")(inbox.ingest_command)
app.command(name="process")(inbox.process_command)
app.add_typer(inbox.returns_app, name="returns")
app.add_typer(planner_app, name="planner")
app.add_typer(workflows_app, name="workflows")
app.add_typer(staff_app, name="staff")
app.command(name="watch")(pipeline.watch_command)
app.add_typer(pipeline.intake_key_app, name="intake-key")
app.command(name="worker")(processes.worker_command)
app.command(name="beat")(processes.beat_command)
app.command(name="flower")(processes.flower_command)
app.command(name="serve")(processes.serve_command)


if __name__ == "__main__":  # pragma: no cover - `python -m cli.main`
    app()
