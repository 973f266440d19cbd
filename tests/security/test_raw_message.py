"""Stored XSS through "origineel bericht" (issue 12, item 2): a delivered message with a script
must never be served as something a browser renders, nor put on the page as markup."""

from __future__ import annotations

from inbox.intake import receive
from inbox.runner import process_until_idle
from models import Office, session_scope
from tests.api_fixtures import World
from tests.security.conftest import PASSWORD, sign_in

# A valid-looking XHTML page: served inline as XML, its script ran on the inbox's origin.
XHTML = (
    b'<html xmlns="http://www.w3.org/1999/xhtml"><body>'
    b"<script>fetch('/returns/1/dismiss',{method:'POST'})</script></body></html>"
)


def _deliver(world: World) -> int:
    with session_scope(world.engine) as session:
        office = session.query(Office).filter_by(code="a").one()
        return_id = receive(session, office, XHTML, "rapport.xhtml").id
    process_until_idle(world.engine, max_bytes=10_000_000)
    return return_id


def _assert_download(headers: dict[str, str]) -> None:
    assert headers["content-type"] == "application/octet-stream"
    assert headers["content-disposition"].startswith("attachment")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-security-policy"].startswith("sandbox")


def test_the_api_serves_raw_messages_as_an_inert_download(world: World) -> None:
    return_id = _deliver(world)
    response = world.client.get(f"/api/offices/a/returns/{return_id}/raw", headers=world.auth())
    assert response.status_code == 200
    assert response.content == XHTML  # exactly as received
    _assert_download(dict(response.headers))


def test_the_page_shows_the_message_only_as_escaped_text(world: World) -> None:
    return_id = _deliver(world)
    assert sign_in(world.client, "staff@a.example", PASSWORD).status_code == 303

    page = world.client.get(f"/returns/{return_id}")
    assert page.status_code == 200
    assert "<script>" not in page.text
    assert "&lt;script&gt;fetch(" in page.text
    raw = world.client.get(f"/returns/{return_id}/raw")
    assert raw.content == XHTML
    _assert_download(dict(raw.headers))
