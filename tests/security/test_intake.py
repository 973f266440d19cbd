"""The HTTP intake (issue 12, items 16, 17 and 18): a long file name never costs a delivery,
a trickling or vanishing sender holds nothing for long and leaves no traceback, and cut
database connections do not turn into 500s."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from crm.offices import get_office
from inbox.keys import create_intake_key
from inbox.quota import IntakeQuota, charge
from models import InboxReturn, IntakeKey, session_scope
from tests.api_fixtures import World
from tests.pipeline_fixtures import ADMIN_URL
from tests.security.conftest import SetEnv
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


def test_an_intake_key_cannot_fill_the_disk(world: World, settings_env: SetEnv) -> None:
    """Issue 22, item 8: ten 18 MB deliveries of random comments stored 187 MB in 8 s. Past
    its volume quota a key is refused (429, Retry-After) before its body is read."""
    settings_env(
        max_message_bytes="20000", intake_bytes_per_hour="30000", intake_bytes_per_day="40000"
    )
    client = TestClient(create_app(world.engine.url.render_as_string(hide_password=False)))
    with session_scope(world.engine) as session:
        key = create_intake_key(session, get_office(session, "a"))
        other = create_intake_key(session, get_office(session, "a"))
    deliver = {"X-Intake-Key": key}
    body = b"<!--" + b"x" * 9_990 + b"-->"  # 9,997 bytes
    codes = [
        client.post("/api/offices/a/inbox", content=body + bytes([n]), headers=deliver)
        for n in range(5)
    ]
    # Three of ~10 kB fit the hour's 30 kB; the fourth and fifth wait (the day's 40 kB would
    # have taken a fourth).
    assert [answer.status_code for answer in codes] == [202] * 3 + [429] * 2
    assert 0 < int(codes[4].headers["retry-after"]) <= 3600
    # The quota is the key's: the office's other key still delivers.
    assert (
        client.post(
            "/api/offices/a/inbox", content=body, headers={"X-Intake-Key": other}
        ).status_code
        == 202
    )
    with session_scope(world.engine) as session:
        stored = session.scalars(select(InboxReturn).where(InboxReturn.file_name.is_(None))).all()
        assert len(stored) == 4  # three of the first key's, one of the other's


def test_a_key_delivering_too_often_waits(world: World) -> None:
    """The rate quota: a key's deliveries per minute, counted in the database (every API
    process shares it), at times this test chooses."""
    quota = IntakeQuota(deliveries_per_minute=3, bytes_per_hour=10**9, bytes_per_day=10**9)
    with session_scope(world.engine) as session:
        create_intake_key(session, get_office(session, "a"))
        key_id = session.scalars(select(IntakeKey.id)).one()
    waits = []
    for now in (1000.0, 1000.0, 1000.0, 1000.0, 1019.0, 1020.0, 1021.0):
        with session_scope(world.engine) as session:
            waits.append(charge(session, key_id, quota, deliveries=1, size=0, now=now))
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == 20.0  # one delivery per 20 s once the minute's three are used
    assert waits[4] == 1.0
    assert waits[5:] == [0.0, 20.0 - 1.0]
