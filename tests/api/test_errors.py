"""Errors are answered once per app (api/errors.py): JSON codes for the API, the sign-in page or
a message on the page the form came from for the page."""

from __future__ import annotations

from tests.api_fixtures import World
from tests.security.conftest import PASSWORD, csrf_of, sign_in


def test_a_refused_page_action_returns_to_its_page_with_the_reason(world: World) -> None:
    assert sign_in(world.client, "staff@a.example", PASSWORD).status_code == 303
    page = f"/returns/{world.unknown}"
    refused = world.client.post(
        f"{page}/assign",
        # Confirmed (the number is not on 9001): the rules then refuse a supplier.
        data={"relation_number": "9001", "csrf": csrf_of(world.client, page), "confirmed": "1"},
        headers={"Referer": f"http://testserver{page}"},
        follow_redirects=False,
    )
    assert refused.status_code == 303
    assert refused.headers["location"] == page
    shown = world.client.get(page).text
    assert "9001" in shown
    assert 'id="message"' in shown
    assert "geen omzetbelasting kan ontvangen" in shown or "kan ontvangen" in shown


def test_a_foreign_referer_never_takes_the_page_elsewhere(world: World) -> None:
    assert sign_in(world.client, "staff@a.example", PASSWORD).status_code == 303
    refused = world.client.post(
        f"/returns/{world.unknown}/assign",
        data={"relation_number": "9001", "csrf": csrf_of(world.client, "/"), "confirmed": "1"},
        headers={"Referer": "https://evil.example/phish"},
        follow_redirects=False,
    )
    assert refused.headers["location"] == "/"


def test_the_api_answers_a_refusal_409_and_a_stranger_404(world: World) -> None:
    base = f"/api/offices/a/returns/{world.unknown}/assign"
    refused = world.client.post(base, json={"relation_number": "9001"}, headers=world.auth())
    assert refused.status_code == 409
    assert "9001" in refused.json()["detail"]
    missing = world.client.post(
        "/api/offices/a/returns/999999/assign",
        json={"relation_number": "1001"},
        headers=world.auth(),
    )
    assert missing.status_code == 404


def test_the_page_without_a_session_goes_to_sign_in(world: World) -> None:
    # To the sign-in page, and (for a page other than the queue) back there afterwards.
    for path, target in (
        ("/", "/login"),
        (f"/returns/{world.unknown}", f"/login?next=/returns/{world.unknown}"),
        (f"/returns/{world.unknown}/raw", f"/login?next=/returns/{world.unknown}/raw"),
    ):
        response = world.client.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, target)
