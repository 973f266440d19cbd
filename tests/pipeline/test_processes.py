"""The other processes of docker-compose.yml, started the way the compose file starts them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import redis
from sqlalchemy import select

from crm.edits import set_sbr_settings
from inbox.dropfolder import DropFolder
from models import InboxReturn, Office, ReturnStatus, session_scope
from sbr_parser import IdentifierType
from sbr_parser import message_builder as build
from tests.support.harness import Pipeline, free_port, seed_office, wait_for


def test_flower_shows_the_workers(pipeline: Pipeline) -> None:
    pipeline.start_worker()
    port = free_port()
    pipeline.env["SBR_INBOX_FLOWER_BASIC_AUTH"] = "ops:flower-secret"
    pipeline.start("flower", "flower", f"--port={port}")
    auth = ("ops", "flower-secret")
    workers: dict[str, object] = {}

    def flower_lists_a_worker() -> bool:
        nonlocal workers
        try:
            response = httpx.get(
                f"http://127.0.0.1:{port}/api/workers?refresh=1", auth=auth, timeout=5
            )
        except httpx.TransportError:
            return False
        workers = response.json() if response.status_code == 200 else {}
        return bool(workers)

    wait_for(flower_lists_a_worker, 60, "Flower to list the worker")
    assert any(name.startswith("celery@") for name in workers)
    assert httpx.get(f"http://127.0.0.1:{port}/api/workers", timeout=5).status_code == 401
    metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", auth=auth, timeout=5).text
    assert "flower_" in metrics


def test_the_drop_folder_takes_only_complete_files(pipeline: Pipeline, tmp_path: Path) -> None:
    numbers = seed_office(pipeline.engine, "demo", 1)
    drop = tmp_path / "drop"
    drop.mkdir()
    clock = [0.0]
    with session_scope(pipeline.engine) as session:
        office = session.scalars(select(Office).where(Office.code == "demo")).one()
    folder = DropFolder(
        drop, pipeline.engine, office, 1_000_000, settle_seconds=2, clock=lambda: clock[0]
    )
    good = build.ob_return(numbers[0], dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    (drop / "aangifte.xbrl").write_bytes(good[:100])  # still being written
    (drop / "upload.part").write_bytes(good)  # a temporary name: never taken
    (drop / "junk.txt").write_bytes(b"not xml")
    assert folder.poll() == []  # first sight: not yet known to be complete
    clock[0] = 1.0
    (drop / "aangifte.xbrl").write_bytes(good)  # the writer finishes: size changes
    assert folder.poll() == []
    clock[0] = 2.5
    taken = {item.path.name: item for item in folder.poll()}
    assert set(taken) == {"junk.txt"}  # unchanged for 2.5 s; aangifte changed at 1.0
    assert taken["junk.txt"].moved_to == drop / "rejected" / "junk.txt"
    clock[0] = 3.5
    taken = {item.path.name: item for item in folder.poll()}
    assert set(taken) == {"aangifte.xbrl"}
    assert taken["aangifte.xbrl"].moved_to == drop / "processed" / "aangifte.xbrl"
    assert (drop / "upload.part").exists()
    with session_scope(pipeline.engine) as session:
        rows = session.scalars(select(InboxReturn).order_by(InboxReturn.id)).all()
        assert [(r.file_name, r.status) for r in rows] == [
            ("junk.txt", ReturnStatus.RECEIVED),
            ("aangifte.xbrl", ReturnStatus.RECEIVED),
        ]
        assert rows[1].id == taken["aangifte.xbrl"].return_id


def test_beat_schedules_the_sweeper(pipeline: Pipeline) -> None:
    pipeline.start("beat", "beat", "--loglevel=INFO", f"--schedule={pipeline.work_dir}/beat")
    client = redis.Redis.from_url(pipeline.broker_url)
    try:
        wait_for(lambda: client.llen("inbox") >= 2, 30, "two sweeps on the inbox queue")
    finally:
        client.close()


def test_the_redecide_task_places_a_waiting_return_and_sends_its_effects(
    pipeline: Pipeline,
) -> None:
    numbers = seed_office(pipeline.engine, "demo", 1)
    with session_scope(pipeline.engine) as session:
        office = session.scalars(select(Office).where(Office.code == "demo")).one()
        set_sbr_settings(session, office, "1000", IdentifierType.OB, numbers[0], enabled=False)
    pipeline.start_worker()
    [return_id] = pipeline.deliver(
        "demo", [build.ob_return(numbers[0], dt.date(2026, 1, 1), dt.date(2026, 3, 31))]
    )
    pipeline.wait_until_settled(timeout=60)
    with session_scope(pipeline.engine) as session:
        assert session.get(InboxReturn, return_id).reason == "sbr_disabled"  # type: ignore[union-attr]
        set_sbr_settings(session, office, "1000", IdentifierType.OB, numbers[0], enabled=True)
    pipeline.celery.send_task("sbr.redecide", queue="inbox")

    def placed_and_filed() -> bool:
        with session_scope(pipeline.engine) as session:
            row = session.get(InboxReturn, return_id)
            return row is not None and row.status is ReturnStatus.MATCHED and row.filed

    wait_for(placed_and_filed, 60, "the re-decided return to be placed and filed")
