"""The ``sbr-inbox`` console script: one Typer app, each command group in its own module,
imported only when its command runs (``cli.lazy``), so ``--help`` answers at once."""

from __future__ import annotations

import typer

from cli.lazy import LazyEntry, LazyGroup

__all__ = ["COMMANDS", "app"]

# name, module, attribute, and the help line of the listing (its command's own first
# docstring or help line; tests/cli/test_lazy_commands.py keeps them equal).
COMMANDS = (
    LazyEntry(
        "parse",
        "cli.parse",
        "parse_command",
        "Parse SBR messages and show kind, identifier and period, or why each was rejected.",
    ),
    LazyEntry(
        "demo",
        "cli.demo",
        "demo_command",
        "Run the whole inbox on a fresh embedded database and show what it did.",
    ),
    LazyEntry("db", "cli.db", "db_app", "Database schema."),
    LazyEntry("office", "cli.office", "office_app", "Offices (the tenants)."),
    LazyEntry("relations", "cli.relations", "relations_app", "The office's client records."),
    LazyEntry(
        "ingest",
        "cli.inbox",
        "ingest_command",
        "Put files (or every file in folders) into the inbox as received returns; prints ids.",
    ),
    LazyEntry(
        "process",
        "cli.inbox",
        "process_command",
        "Decide every received return and re-decide after relation changes (embedded worker).",
    ),
    LazyEntry("returns", "cli.inbox", "returns_app", "Received returns and their decisions."),
    LazyEntry("planner", "cli.planner", "planner_app", "Planner rules and the planner run."),
    LazyEntry(
        "workflows",
        "cli.planner",
        "workflows_app",
        "Workflows (one per relation, product, period).",
    ),
    LazyEntry("staff", "cli.staff", "staff_app", "Staff users of the review API and page."),
    LazyEntry(
        "watch",
        "cli.pipeline",
        "watch_command",
        "Take complete files from FOLDER into the inbox; move them to processed/ or rejected/.",
    ),
    LazyEntry(
        "intake-key", "cli.pipeline", "intake_key_app", "Intake keys: make (default), list, revoke."
    ),
    LazyEntry(
        "worker",
        "cli.processes",
        "worker_command",
        "Run a Celery worker of this app (all queues unless told).",
    ),
    LazyEntry(
        "beat",
        "cli.processes",
        "beat_command",
        "Run Celery beat: the sweeper every minute (SBR_INBOX_SWEEP_INTERVAL_SECONDS).",
    ),
    LazyEntry(
        "flower",
        "cli.processes",
        "flower_command",
        "Run Celery Flower against this app (workers, queues, tasks; /metrics for Prometheus).",
    ),
    LazyEntry(
        "serve",
        "cli.processes",
        "serve_command",
        "Run the HTTP API (intake, review, metrics) with uvicorn.",
    ),
)


class _Commands(LazyGroup):
    entries = COMMANDS


app = typer.Typer(
    name="sbr-inbox",
    help="SBR inbox processor: read incoming tax returns and place them with the right client.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_Commands,
)


@app.callback()
def _main() -> None:
    """SBR inbox processor: read incoming tax returns and place them with the right client."""


if __name__ == "__main__":  # pragma: no cover - `python -m cli.main`
    app()
