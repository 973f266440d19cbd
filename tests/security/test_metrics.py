"""`/metrics` (issue 12, item 12) lists every office with its volumes: never public."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from crm.offices import get_office
from inbox.intake import receive
from models import Office, RawMessage, session_scope
from tests.api_fixtures import World
from tests.security.conftest import SetEnv

TOKEN = "prometheus-scrape-token-0123456789"  # noqa: S105 - this test's own


@pytest.fixture
def client(world: World, settings_env: SetEnv) -> Iterator[TestClient]:
    settings_env(metrics_token=TOKEN)
    app = create_app(str(world.engine.url.render_as_string(hide_password=False)))
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def test_metrics_need_the_scrape_token(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    scraped = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert scraped.status_code == 200
    assert 'office="a"' in scraped.text


def test_without_a_token_setting_there_are_no_metrics(world: World) -> None:
    assert world.client.get("/metrics").status_code == 404


def test_the_stored_bytes_of_each_office_are_measured(world: World, client: TestClient) -> None:
    """Issue 22, item 8: the disk an office's messages take is watched (an alert before the
    quota's day is full), counted once per stored message however often it was delivered."""
    with session_scope(world.engine) as session:
        office = get_office(session, "b")
        receive(session, office, b"<x>" + b"1" * 997, "a.xbrl")
        receive(session, office, b"<x>" + b"1" * 997, "again.xbrl")  # the same bytes again
        expected = {
            code: int(size)
            for code, size in session.execute(
                select(Office.code, func.sum(RawMessage.size))
                .join(RawMessage, RawMessage.office_id == Office.id)
                .group_by(Office.code)
            )
        }
    scraped = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    found = {
        line.split('"')[1]: float(line.rsplit(" ", 1)[1])
        for line in scraped.splitlines()
        if line.startswith("sbr_inbox_stored_bytes{")
    }
    assert found == {code: float(size) for code, size in expected.items()}
    assert found["b"] == found["a"] + 1000
