"""The HTTP intake (issue 12, items 16, 17 and 18): a long file name never costs a delivery,
a trickling or vanishing sender holds nothing for long and leaves no traceback, and cut
database connections do not turn into 500s."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from sqlalchemy import select

from crm.offices import get_office
from inbox.keys import create_intake_key
from models import InboxReturn, session_scope
from tests.api_fixtures import World
from tests.pipeline_fixtures import ADMIN_URL
from tests.support.harness import Pipeline, seed_office, terminate_database_connections


def test_an_over_long_file_name_is_cut_not_refused(world: World) -> None:
    with session_scope(world.engine) as session:
        key = create_intake_key(session, get_office(session, "a"))
    response = world.client.post(
        "/api/offices/a/inbox",
        content=b"<x/>",
        headers={"X-Intake-Key": key, "X-File-Name": "a" * 600 + ".xbrl"},
    )
    assert response.status_code == 202
    with session_scope(world.engine) as session:
        row = session.get(InboxReturn, response.json()["id"])
        assert row is not None
        assert row.file_name == "a" * 500


def _post_slowly(port: int, key: str, body: bytes, *, pause: float, hang_up: bool) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(
            b"POST /api/offices/demo/inbox HTTP/1.1\r\nHost: x\r\n"
            + f"X-Intake-Key: {key}\r\nContent-Length: {len(body) + 100}\r\n\r\n".encode()
        )
        for byte in body:
            connection.sendall(bytes([byte]))
            time.sleep(pause)
        if hang_up:
            return b""
        return connection.recv(4096)


def test_a_trickling_sender_is_cut_off_and_a_hang_up_logged_in_one_line(
    pipeline: Pipeline,
) -> None:
    seed_office(pipeline.engine, "demo", 1)
    with session_scope(pipeline.engine) as session:
        key = create_intake_key(session, get_office(session, "demo"))
    pipeline.env["SBR_INBOX_INTAKE_READ_TIMEOUT_SECONDS"] = "1"
    base = pipeline.serve()
    port = int(base.rsplit(":", 1)[1])

    started = time.monotonic()
    answer = _post_slowly(port, key, b"<" * 8, pause=0.4, hang_up=False)
    assert answer.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started < 6
    _post_slowly(port, key, b"<xbrl", pause=0.01, hang_up=True)
    time.sleep(0.5)
    log = (Path(pipeline.work_dir) / "api.log").read_text()
    assert "Traceback" not in log
    assert "not complete in time" in log
    assert "hung up" in log
    with session_scope(pipeline.engine) as session:  # nothing half-received was stored
        assert session.scalars(select(InboxReturn)).all() == []


def test_cut_database_connections_do_not_fail_deliveries(pipeline: Pipeline) -> None:
    seed_office(pipeline.engine, "demo", 1)
    with session_scope(pipeline.engine) as session:
        key = create_intake_key(session, get_office(session, "demo"))
    base = pipeline.serve()
    import httpx  # noqa: PLC0415

    deliver = {"X-Intake-Key": key}
    codes = [
        httpx.post(f"{base}/api/offices/demo/inbox", content=b"<x/>", headers=deliver).status_code
        for _ in range(5)
    ]
    assert terminate_database_connections(ADMIN_URL, pipeline.database_url) > 0
    codes += [
        httpx.post(f"{base}/api/offices/demo/inbox", content=b"<x/>", headers=deliver).status_code
        for _ in range(20)
    ]
    assert codes == [202] * 25
