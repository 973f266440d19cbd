"""Tokens and keys (issue 12, item 15): revoked and expired ones are refused, and the command
line lists, revokes and expires them without SQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from crm.offices import get_office
from crm.staff import issue_token
from inbox.keys import create_intake_key
from models import ApiToken, IntakeKey, session_scope
from tests.api_fixtures import World
from tests.cli.conftest import Run


def test_revoked_and_expired_tokens_are_refused(world: World, tmp_path: Path) -> None:
    from tests.cli.conftest import run_cli  # noqa: PLC0415

    run = run_cli(world.engine.url.render_as_string(hide_password=False), tmp_path)
    assert world.client.get("/api/offices/a/returns", headers=world.auth()).status_code == 200
    listed = run("staff", "token", "list", "--email", "staff@a.example")
    assert listed.returncode == 0, listed.stderr
    assert "live" in listed.stdout
    with session_scope(world.engine) as session:
        token_id = session.scalars(select(ApiToken.id).order_by(ApiToken.id)).first()
        expired = issue_token(session, "staff@a.example", expires_in=dt.timedelta(seconds=-1))
    revoked = run("staff", "token", "revoke", "--email", "staff@a.example", str(token_id))
    assert revoked.returncode == 0, revoked.stderr
    assert world.client.get("/api/offices/a/returns", headers=world.auth()).status_code == 401
    assert (
        world.client.get("/api/offices/a/returns", headers=world.auth(expired)).status_code == 401
    )
    states = run("staff", "token", "list", "--email", "staff@a.example").stdout
    assert "revoked" in states
    assert "expired" in states


def test_a_revoked_intake_key_cannot_deliver(world: World, tmp_path: Path) -> None:
    from tests.cli.conftest import run_cli  # noqa: PLC0415

    run: Run = run_cli(world.engine.url.render_as_string(hide_password=False), tmp_path)
    with session_scope(world.engine) as session:
        key = create_intake_key(session, get_office(session, "a"))
        key_id = session.scalars(select(IntakeKey.id)).one()
    deliver = {"X-Intake-Key": key}
    assert (
        world.client.post("/api/offices/a/inbox", content=b"<x/>", headers=deliver).status_code
        == 202
    )
    assert run("intake-key", "revoke", "--office", "a", str(key_id)).returncode == 0
    assert (
        world.client.post("/api/offices/a/inbox", content=b"<x/>", headers=deliver).status_code
        == 401
    )
    assert "revoked" in run("intake-key", "list", "--office", "a").stdout
    made = run("intake-key", "--office", "a", "--expires-days", "30")
    assert made.returncode == 0
    assert made.stdout.startswith("sbrk_")
