"""The long-running processes: ``worker``, ``beat``, ``flower``, ``serve`` (DESIGN.md 4a).

Each is what docker-compose.yml runs, and what the tests start as real subprocesses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cli.session import fail
from config import get_settings

if TYPE_CHECKING:
    from celery import Celery

__all__ = ["beat_command", "flower_command", "serve_command", "worker_command"]


def _app_with_broker() -> Celery:
    if get_settings().broker_url is None:
        raise fail(
            "no broker: set SBR_INBOX_BROKER_URL (e.g. redis://localhost:6379/0); without it "
            "the embedded worker runs inside `sbr-inbox process --until-idle` and the demo"
        )
    from workers.app import app  # noqa: PLC0415 - only processes that need Celery import it

    return app


def worker_command(
    queues: Annotated[str, typer.Option(help="Comma-separated queues.")] = "inbox,effects",
    concurrency: Annotated[int, typer.Option(help="Worker processes.")] = 2,
    pool: Annotated[str, typer.Option(help="Celery pool: prefork, solo, threads.")] = "prefork",
    loglevel: Annotated[str, typer.Option(help="Log level.")] = "INFO",
) -> None:
    """Run a Celery worker of this app (all queues unless told)."""
    app = _app_with_broker()
    app.worker_main(
        [
            "worker",
            f"--queues={queues}",
            f"--concurrency={concurrency}",
            f"--pool={pool}",
            f"--loglevel={loglevel}",
            "--without-gossip",
            "--without-mingle",
        ]
    )


def beat_command(
    loglevel: Annotated[str, typer.Option(help="Log level.")] = "INFO",
    schedule: Annotated[str, typer.Option(help="Beat's schedule file.")] = "celerybeat-schedule",
) -> None:
    """Run Celery beat: the sweeper every minute (SBR_INBOX_SWEEP_INTERVAL_SECONDS)."""
    app = _app_with_broker()
    app.start(["beat", f"--loglevel={loglevel}", f"--schedule={schedule}"])


def flower_command(
    port: Annotated[int, typer.Option(help="HTTP port.")] = 5555,
    address: Annotated[str, typer.Option(help="Listen address.")] = "127.0.0.1",
) -> None:
    """Run Celery Flower against this app (workers, queues, tasks; /metrics for Prometheus)."""
    app = _app_with_broker()
    arguments = ["flower", f"--port={port}", f"--address={address}"]
    credentials = get_settings().flower_basic_auth
    if credentials:
        arguments.append(f"--basic-auth={credentials}")
    app.start(arguments)


def serve_command(
    host: Annotated[str, typer.Option(help="Listen address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="HTTP port.")] = 8000,
) -> None:
    """Run the HTTP API (intake, review, metrics) with uvicorn."""
    import uvicorn  # noqa: PLC0415

    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, log_level="info")
