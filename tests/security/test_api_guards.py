"""The API's door (issue 12, items 6, 19, 20): bodies are bounded before they are read, the
token is checked before a body is parsed, out-of-range ids are 404, and every response carries
the security headers."""

from __future__ import annotations

from collections.abc import Iterator

from tests.api_fixtures import World
from tests.security.conftest import PASSWORD, SetEnv, csrf_of, sign_in


def test_a_huge_declared_body_is_refused_unread(world: World) -> None:
    sent = 0

    def body() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(400):  # 400 MB if it were all read
            sent += 1
            yield b"x" * (1024 * 1024)

    response = world.client.post(
        "/api/offices/a/returns/1/dismiss",
        content=body(),
        headers={"Content-Length": str(400 * 1024 * 1024), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert sent <= 2  # the test client may pull a chunk before the answer; never the rest


def test_a_chunked_body_is_cut_off_at_the_limit(world: World) -> None:
    def body() -> Iterator[bytes]:  # no Content-Length: the limit is counted while reading
        for _ in range(100):
            yield b"x" * (16 * 1024)

    response = world.client.post(
        "/api/offices/a/returns/1/dismiss", content=body(), headers=world.auth()
    )
    assert response.status_code == 413
    assert "over the limit" in response.json()["detail"]


def test_the_token_is_checked_before_the_body_is_parsed(world: World) -> None:
    response = world.client.post(
        "/api/offices/a/returns/1/dismiss",
        content=b'{"remark": [[[[ not json',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 401  # not 422: nobody parsed it


def test_ids_beyond_the_integer_range_are_not_found(world: World) -> None:
    assert sign_in(world.client, "staff@a.example", PASSWORD).status_code == 303
    assert world.client.get("/returns/99999999999").status_code == 404
    assert world.client.get("/returns/99999999999/raw").status_code == 404
    sbr_on = world.client.post(
        "/relations/1001/sbr-on",
        data={"return_id": "999999", "csrf": csrf_of(world.client, "/")},
    )
    assert sbr_on.status_code == 404


def test_every_response_carries_the_security_headers(world: World) -> None:
    for response in (
        world.client.get("/login"),
        world.client.get("/healthz"),
        world.client.get("/api/offices/a/returns", headers=world.auth()),
        world.client.get("/api/offices/a/returns"),  # the 401 too
    ):
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy
        assert "script-src 'none'" in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"


def test_the_session_cookie_is_secure_when_tls_is_said_to_be_in_front(
    own_database_url: str, settings_env: SetEnv
) -> None:
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from api.app import create_app  # noqa: PLC0415

    settings_env(cookie_secure="true")
    app = create_app(own_database_url)
    with TestClient(app, base_url="https://testserver") as client:
        cookie = client.get("/login").headers.get("set-cookie", "")
        assert "secure" in cookie.lower()
    app.state.engine.dispose()
