"""A local pipeline of real processes, for the end-to-end and fault tests and the benchmarks.

It runs what docker-compose.yml runs, as subprocesses of this machine: ``sbr-inbox worker``
(and optionally ``beat``, ``serve``, ``flower``) against a real PostgreSQL database and a real
Redis, and can kill, restart and starve them. :meth:`Pipeline.settled` and :meth:`Pipeline.audit`
say whether every return reached its final state exactly once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from celery import Celery
from kombu.exceptions import OperationalError as KombuOperationalError
from sqlalchemy import Engine, func, select

from config import Settings
from inbox.intake import receive
from models import (
    IS_WAITING,
    Document,
    InboxReturn,
    Office,
    OutboxMessage,
    ReturnStatus,
    Workflow,
    make_engine,
    session_scope,
)
from workers.app import INBOX_QUEUE, make_app
from workers.nudge import nudge

REPO_ROOT = Path(__file__).resolve().parents[2]

__all__ = [
    "Audit",
    "Pipeline",
    "day_of_messages",
    "free_port",
    "private_redis",
    "queues_drained",
    "run_fault",
    "seed_office",
    "terminate_database_connections",
    "wait_for",
]

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def private_redis(port: int | None = None) -> Iterator[tuple[str, Any]]:
    """A Redis server of our own (keeps nothing on disk): yields (url, restart function)."""
    port = port or free_port()
    command = [
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    state: dict[str, subprocess.Popen[bytes]] = {}

    def start() -> None:
        state["process"] = subprocess.Popen(  # noqa: S603 - our own argument list
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_for_port(port)

    def restart() -> None:
        """Kill it (queues gone: nothing is kept on disk) and start it again."""
        state["process"].kill()
        state["process"].wait()
        start()

    start()
    try:
        yield f"redis://127.0.0.1:{port}/0", restart
    finally:
        state["process"].kill()
        state["process"].wait()


def _wait_for_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port}")


@dataclass(frozen=True, slots=True)
class Audit:
    """Where every return ended up, and whether anything was lost or done twice."""

    returns: int
    final: int
    matched: int
    workflows: int
    expected_workflows: int
    documents: int
    effects_pending: int
    lost: int
    duplicated: int


@dataclass
class Pipeline:
    """Processes and helpers for one database and one broker."""

    database_url: str
    broker_url: str
    work_dir: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    worker_restarts: int = 0

    def __post_init__(self) -> None:
        self.env = {
            **os.environ,
            "SBR_INBOX_DATABASE_URL": self.database_url,
            "SBR_INBOX_BROKER_URL": self.broker_url,
            "SBR_INBOX_STUCK_AFTER_SECONDS": "3",
            "SBR_INBOX_SWEEP_INTERVAL_SECONDS": "1",
            **self.env_extra,
        }
        settings = Settings(
            database_url=self.database_url,
            broker_url=self.broker_url,
            stuck_after_seconds=float(self.env["SBR_INBOX_STUCK_AFTER_SECONDS"]),
        )
        self.celery: Celery = make_app(settings)
        self.engine: Engine = make_engine(self.database_url, pool_pre_ping=True)

    # -- processes ------------------------------------------------------------------------

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        """Start ``sbr-inbox ARGS`` as process ``name`` (its own process group)."""
        # The child keeps its own copy of the descriptor; ours is closed right away.
        with (self.work_dir / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(  # noqa: S603 - our own CLI
                [sys.executable, "-m", "cli.main", *args],
                cwd=self.work_dir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes[name] = process
        return process

    def start_worker(
        self, name: str = "worker", concurrency: int = 2, *, with_noop: bool = False
    ) -> None:
        """A worker on both queues; returns once it answers a ping.

        ``with_noop`` runs the same worker, with the same options, through Celery's own command
        on :mod:`tests.support.noop`, which adds the benchmark's ``sbr.noop`` task to the app.
        """
        if with_noop:
            options = (f"--concurrency={concurrency}", "--loglevel=INFO")
            with (self.work_dir / f"{name}.log").open("ab") as log:
                self.processes[name] = subprocess.Popen(  # noqa: S603 - our own arguments
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "tests.support.noop",
                        "worker",
                        "--queues=inbox,effects",
                        "--pool=prefork",
                        "--without-gossip",
                        "--without-mingle",
                        *options,
                    ],
                    cwd=self.work_dir,
                    env={**self.env, "PYTHONPATH": str(REPO_ROOT)},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        else:
            self.start(name, "worker", f"--concurrency={concurrency}", "--loglevel=INFO")
        self.wait_for_workers(1)

    def serve(self) -> str:
        """Start ``sbr-inbox serve`` on a free port; its base URL once /healthz answers."""
        port = free_port()
        self.start("api", "serve", "--port", str(port))
        base = f"http://127.0.0.1:{port}"

        def healthy() -> bool:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:  # noqa: S310
                    return bool(response.status == 200)
            except OSError:
                return False

        wait_for(healthy, 30, "the API to answer /healthz (see api.log)")
        return base

    def wait_for_workers(self, count: int, timeout: float = 60) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                # A connection of its own: a pooled one may be from before a Redis restart.
                with self.celery.connection_for_write() as connection:
                    replies = self.celery.control.ping(timeout=0.5, connection=connection) or []
            except (redis.exceptions.ConnectionError, OSError, KombuOperationalError):
                time.sleep(0.1)  # the broker is coming back: ask again
                continue
            if len(replies) >= count:
                return [name for reply in replies for name in reply]
        raise TimeoutError(f"{count} worker(s) did not answer within {timeout} s; see logs")

    def kill(self, name: str) -> None:
        """SIGKILL the process and its children (a worker's pool), as a crash would."""
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            process = self.processes.pop(name)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.engine.dispose()

    # -- work -----------------------------------------------------------------------------

    def store(self, office_code: str, messages: Sequence[bytes]) -> list[int]:
        """Store messages as received returns in one commit (nobody is told yet)."""
        with session_scope(self.engine) as session:
            office = session.scalars(select(Office).where(Office.code == office_code)).one()
            return [
                receive(session, office, data, f"m{i}.xbrl").id for i, data in enumerate(messages)
            ]

    def deliver(self, office_code: str, messages: Sequence[bytes], *, times: int = 1) -> list[int]:
        """Store messages (one commit) and nudge the workers as intake does (one coalesced
        nudge); ``times`` > 1 sends a process task per return that many times instead, as a
        broker delivering every message again would."""
        ids = self.store(office_code, messages)
        if times == 1:
            nudge(self.celery, ids)
        else:
            for _ in range(times):
                for return_id in ids:
                    self.celery.send_task("sbr.process_return", args=[return_id], queue=INBOX_QUEUE)
        return ids

    def settled(self) -> bool:
        """No return waits to be decided and no effect waits to run."""
        # One row each, from the partial indexes of pending work: polled every few ms while a
        # benchmark runs, a count over tables of 100,000 returns would compete with the workers.
        with session_scope(self.engine) as session:
            waiting = session.scalar(select(InboxReturn.id).where(IS_WAITING).limit(1))
            # A parked effect (failed SBR_INBOX_MAX_ATTEMPTS times) waits for staff, not the
            # workers: it is settled.
            effects = session.scalar(
                select(OutboxMessage.id)
                .where(OutboxMessage.done_at.is_(None), OutboxMessage.failed_at.is_(None))
                .limit(1)
            )
        return waiting is None and effects is None

    def wait_until_settled(
        self, timeout: float = 120, poll: float = 0.2, *, supervise: bool = False
    ) -> float:
        """Seconds until :meth:`settled`. ``supervise`` starts the worker again when it died,
        as docker-compose.yml's ``restart: unless-stopped`` does (counted in
        ``worker_restarts``)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.settled():
                return time.monotonic() - started
            worker = self.processes.get("worker")
            if supervise and worker is not None and worker.poll() is not None:
                self.processes.pop("worker")
                self.worker_restarts += 1
                self.start_worker()
            time.sleep(poll)
        raise TimeoutError(f"not settled within {timeout} s: {self.audit()}")

    def audit(self) -> Audit:
        """Count outcomes; ``lost`` and ``duplicated`` must be 0."""
        with session_scope(self.engine) as session:
            total = session.scalar(select(func.count()).select_from(InboxReturn)) or 0
            final = (
                session.scalar(
                    select(func.count()).where(InboxReturn.status != ReturnStatus.RECEIVED)
                )
                or 0
            )
            matched = (
                session.scalar(
                    select(func.count()).where(InboxReturn.status == ReturnStatus.MATCHED)
                )
                or 0
            )
            unfinished = (
                session.scalar(
                    select(func.count()).where(
                        InboxReturn.status == ReturnStatus.MATCHED,
                        ~(InboxReturn.workflow_started & InboxReturn.filed),
                    )
                )
                or 0
            )
            workflows = session.scalar(select(func.count()).select_from(Workflow)) or 0
            expected = (
                session.scalar(
                    select(func.count(func.distinct(InboxReturn.workflow_id))).where(
                        InboxReturn.status == ReturnStatus.MATCHED
                    )
                )
                or 0
            )
            documents = session.scalar(select(func.count()).select_from(Document)) or 0
            pending = (
                session.scalar(select(func.count()).where(OutboxMessage.done_at.is_(None))) or 0
            )
        return Audit(
            returns=total,
            final=final,
            matched=matched,
            workflows=workflows,
            expected_workflows=expected,
            documents=documents,
            effects_pending=pending,
            lost=(total - final) + unfinished + max(0, matched - documents),
            duplicated=max(0, documents - matched) + max(0, workflows - expected),
        )


def seed_office(engine: Engine, code: str, relations: int, *, offset: int = 0) -> list[str]:
    """An office with ``relations`` BVs, each with an OB number (SBR on) and the OB product.

    Returns the OB numbers, through the real import.
    """
    from crm.importer import import_relations  # noqa: PLC0415 - harness-only dependency
    from sbr_parser.message_builder import bsn_for  # noqa: PLC0415

    numbers = [f"{bsn_for(offset + i)}B01" for i in range(relations)]
    document = {
        "office": code,
        "relations": [
            {
                "number": f"{1000 + i}",
                "type": "organisation",
                "name": f"Klant {i} B.V.",
                "legal_form": "bv",
                "fiscal_numbers": [
                    {
                        "type": "OB",
                        "value": number,
                        "sbr_enabled": True,
                        "sbr_start_date": "2024-12-31",
                    }
                ],
                "products": ["aangifte_ob"],
            }
            for i, number in enumerate(numbers)
        ],
    }
    with session_scope(engine) as session:
        import_relations(session, document)
    return numbers


def day_of_messages(numbers: Sequence[str], count: int, *, start: int = 0) -> list[bytes]:
    """``count`` distinct messages: OB returns for the numbers (months and quarters, so some
    land in the same workflow as a new version), plus a few that cannot be placed or read.
    ``start`` continues an earlier call's sequence (a long run made in parts)."""
    import datetime as dt  # noqa: PLC0415

    from sbr_parser import message_builder as build  # noqa: PLC0415

    messages: list[bytes] = []
    for index in range(start, start + count):
        number = numbers[index % len(numbers)]
        if index % 25 == 24:
            messages.append(b"%PDF-1.7 not a return " + str(index).encode())
        elif index % 25 == 23:
            messages.append(
                build.ob_return(
                    "123456782B01", dt.date(2026, 1, 1), dt.date(2026, 3, 31), amount_due=index
                )
            )
        else:
            month = (index // len(numbers)) % 12 + 1
            first = dt.date(2026, month, 1)
            end = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(1)
            messages.append(build.ob_return(number, first, end, amount_due=index))
    return messages


def wait_for(predicate: Any, timeout: float, what: str) -> None:
    """Poll ``predicate`` until true, or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")


def decided_count(pipeline: Pipeline) -> int:
    """How many returns have left ``received``."""
    with session_scope(pipeline.engine) as session:
        return (
            session.scalar(select(func.count()).where(InboxReturn.status != ReturnStatus.RECEIVED))
            or 0
        )


def terminate_database_connections(admin_url: str, database_url: str) -> int:
    """Cut every connection to the database, as a PostgreSQL restart does to its clients."""
    from sqlalchemy import create_engine, text  # noqa: PLC0415
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    name = make_url(database_url).database
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return len(
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                ).all()
            )
    finally:
        admin.dispose()


def run_fault(
    pipeline: Pipeline,
    fault: str,
    *,
    messages: int,
    relations: int = 20,
    restart_redis: Any = None,
    admin_url: str | None = None,
) -> dict[str, int]:
    """Deliver ``messages``, inject ``fault`` mid-run, let the pipeline recover, and count.

    Faults: ``kill_worker`` (SIGKILL the worker and its pool, start a new one),
    ``restart_redis`` (kill Redis, queues gone, start it again), ``restart_postgres`` (cut all
    database connections, twice), ``deliver_twice`` (every task sent twice, effects too).
    """
    numbers = seed_office(pipeline.engine, "demo", relations)
    pipeline.start_worker()
    pipeline.start("beat", "beat", "--loglevel=INFO", f"--schedule={pipeline.work_dir}/beat")
    batch = day_of_messages(numbers, messages)
    kills = restarts = 0
    times = 2 if fault == "deliver_twice" else 1
    pipeline.deliver("demo", batch, times=times)
    wait_for(lambda: decided_count(pipeline) >= messages // 4, 120, "a quarter decided")
    if fault == "kill_worker":
        pipeline.kill("worker")
        kills += 1
        pipeline.start_worker()
    elif fault == "restart_redis":
        restart_redis()
        restarts += 1
    elif fault == "restart_postgres":
        assert admin_url is not None
        for _ in range(2):
            terminate_database_connections(admin_url, pipeline.database_url)
            restarts += 1
            time.sleep(0.5)
    # Celery's worker can die of a broker lost mid-task (kombu: "'NoneType' object has no
    # attribute 'hostname'" while restoring the unacknowledged task); a deployment's restart
    # policy starts it again, and so does this wait. Nothing is lost meanwhile: the work waits
    # in PostgreSQL.
    pipeline.wait_until_settled(timeout=180, supervise=True)
    if fault == "deliver_twice":
        with session_scope(pipeline.engine) as session:
            matched = list(
                session.scalars(
                    select(InboxReturn.id).where(InboxReturn.status == ReturnStatus.MATCHED)
                )
            )
        for return_id in matched:
            for task in ("sbr.start_workflow", "sbr.file_in_dossier"):
                pipeline.celery.send_task(task, args=[return_id], queue="effects")
        _wait_for_empty_queues(pipeline)
    audit = pipeline.audit()
    return {
        "returns": audit.returns,
        "matched": audit.matched,
        "documents": audit.documents,
        "workflows": audit.workflows,
        "kills": kills,
        "restarts": restarts,
        "worker_restarts": pipeline.worker_restarts,
        "lost": audit.lost,
        "duplicated": audit.duplicated,
    }


def queues_drained(client: redis.Redis) -> bool:
    """Nothing waits in the broker's queues and no task is taken but unacknowledged."""
    return client.llen("inbox") == 0 and client.llen("effects") == 0 and not client.hlen("unacked")


def _wait_for_empty_queues(pipeline: Pipeline) -> None:
    client = redis.Redis.from_url(pipeline.broker_url)
    try:
        wait_for(lambda: queues_drained(client), 120, "the queues to drain")
    finally:
        client.close()
