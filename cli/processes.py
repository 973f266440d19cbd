"""The long-running processes: ``worker``, ``beat``, ``flower``, ``serve`` (docs/contracts.md).

Each is what docker-compose.yml runs, and what the tests start as real subprocesses.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import TYPE_CHECKING, Annotated

import typer

from cli.session import fail
from config import get_settings, secret_key_problem

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
    credentials = get_settings().flower_basic_auth or ""
    user, _, password = credentials.partition(":")
    if not user or len(password) < 8:
        # Flower shows task arguments and tracebacks; it is never run open (issue 12).
        raise fail(
            "set SBR_INBOX_FLOWER_BASIC_AUTH to user:password (a password of 8+ characters); "
            "Flower does not start without authentication"
        )
    app = _app_with_broker()
    _metrics_behind_flowers_authentication()
    app.start(["flower", f"--port={port}", f"--address={address}", f"--basic-auth={credentials}"])


def _metrics_behind_flowers_authentication() -> None:
    """Make Flower's ``/metrics`` ask for the same credentials as every other page.

    Flower serves it without authentication by design (mher/flower#1129, #1342) and has no
    option to change that, yet it names every task, worker and queue (issue 22, item 16).
    Flower takes its routes from ``flower.urls.handlers`` when it starts, so the route is given
    a handler that checks the basic-auth credentials first, as Flower's own pages do.
    """
    import tornado.web  # noqa: PLC0415 - only the flower process needs Flower
    from flower import urls  # type: ignore[import-untyped]  # noqa: PLC0415
    from flower.views import monitor  # type: ignore[import-untyped]  # noqa: PLC0415

    class AuthenticatedMetrics(monitor.Metrics):  # type: ignore[misc]
        @tornado.web.authenticated
        async def get(self) -> None:
            await super().get()

    for index, entry in enumerate(urls.handlers):
        # Routes are (pattern, handler[, kwargs]) tuples or tornado `url` rules.
        if isinstance(entry, tuple) and entry[1] is monitor.Metrics:
            urls.handlers[index] = (entry[0], AuthenticatedMetrics, *entry[2:])


def serve_command(
    host: Annotated[str, typer.Option(help="Listen address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="HTTP port.")] = 8000,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="Addresses of the reverse proxy whose X-Forwarded-For/-Proto are trusted "
            "(comma-separated); the sign-in throttle then sees the client's address."
        ),
    ] = None,
    max_connections: Annotated[
        int, typer.Option(help="Connections served at once; more are answered 503.")
    ] = 200,
) -> None:
    """Run the HTTP API (intake, review, metrics) with uvicorn.

    Refuses to start without a strong SBR_INBOX_SECRET_KEY unless bound to localhost or with
    SBR_INBOX_DEV_MODE=true: a weak key lets anyone forge a staff member's session.
    """
    import uvicorn  # noqa: PLC0415

    settings = get_settings()
    problem = secret_key_problem(settings.secret_key)
    if problem is not None:
        if not (settings.dev_mode or _is_loopback(host)):
            raise fail(
                f"{problem}. Set it to 32+ random characters, e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'` "
                "(or SBR_INBOX_DEV_MODE=true for development)"
            )
        typer.secho(
            f"warning: {problem}; using a random key for this process (development only: "
            "sessions end when it stops)",
            err=True,
            fg=typer.colors.YELLOW,
        )
    from api.connections import guarded_protocol  # noqa: PLC0415 - uvicorn's, imported late

    # The service's own lines (refused deliveries, sign-in floods) beside uvicorn's.
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    try:
        protocol = guarded_protocol(
            header_timeout=settings.header_timeout_seconds,
            per_client=settings.max_connections_per_client,
            proxies=forwarded_allow_ips,
        )
    except ValueError as error:
        raise fail(str(error)) from None
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        log_level="info",
        # Bounded work per client: a request's headers must arrive within
        # SBR_INBOX_HEADER_TIMEOUT_SECONDS and may not grow past 64 KiB, one client holds at
        # most SBR_INBOX_MAX_CONNECTIONS_PER_CLIENT connections (api.connections), idle
        # keep-alive connections close after 5 s, and past max_connections new ones get 503.
        http=protocol,
        timeout_keep_alive=5,
        limit_concurrency=max_connections,
        h11_max_incomplete_event_size=64 * 1024,
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
