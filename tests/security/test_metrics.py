"""`/metrics` (issue 12, item 12) lists every office with its volumes: never public."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
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
