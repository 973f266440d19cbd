"""The review page: sign-in, CSRF, tenancy, and a real browser fixing a return.

The browser test drives Debian's Chromium (headless, through Playwright) against a real
``sbr-inbox serve`` process: sign in, see the return that waits because SBR is off with the
rules' sentence, switch SBR on for the relation, see it placed. A screenshot is saved in
``test-artifacts/`` (and the test's tmp dir).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.api_fixtures import World
from tests.conftest import REPO_ROOT
from tests.support.harness import Pipeline

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery"  # noqa: S105 - the test user's, made in tests.api_fixtures


def _token(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match is not None
    return match.group(1)


def test_sign_in_csrf_and_tenancy(world: World) -> None:
    client = world.client
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    form = client.get("/login").text
    refused = client.post(
        "/login", data={"email": "staff@a.example", "password": PASSWORD, "csrf": "forged"}
    )
    assert refused.status_code == 403
    wrong = client.post(
        "/login", data={"email": "staff@a.example", "password": "nope-nope-x", "csrf": _token(form)}
    )
    assert wrong.status_code == 401
    signed_in = client.post(
        "/login", data={"email": "staff@a.example", "password": PASSWORD, "csrf": _token(form)}
    )
    assert signed_in.status_code == 200
    queue = signed_in.text
    assert "SBR niet ingeschakeld" in queue
    assert "Geen relatie met dit nummer" in queue
    assert "<svg" in client.get("/dashboard").text
    # Office b's returns (ids 4-6) do not exist for office a's staff.
    assert client.get("/returns/4").status_code == 404
    assert client.get("/returns/4/raw").status_code == 404
    detail = client.get(f"/returns/{world.unknown}").text
    blocked = client.post(
        f"/returns/{world.unknown}/dismiss", data={"remark": "x", "csrf": "forged"}
    )
    assert blocked.status_code == 403
    done = client.post(
        f"/returns/{world.unknown}/dismiss", data={"remark": "vendor test", "csrf": _token(detail)}
    )
    assert "afgehandeld" in done.text


@pytest.mark.parametrize("own_database_url", ["postgresql"], indirect=True)
def test_a_browser_switches_sbr_on_and_sees_the_return_placed(
    world: World, own_database_url: str, tmp_path: Path
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    pipeline = Pipeline(own_database_url, "redis://unused", tmp_path)
    pipeline.env.pop("SBR_INBOX_BROKER_URL")  # the embedded mode: the API re-decides inline
    try:
        base = pipeline.serve()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
            )
            page = browser.new_page()
            page.goto(f"{base}/login")
            page.fill("input[name=email]", "staff@a.example")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            section = page.locator("#reason-sbr_disabled")
            expect(section).to_contain_text("SBR")
            expect(section).to_contain_text("1001 (Jansen Holding B.V.)")
            section.get_by_role("link", name=str(world.sbr_off)).click()
            expect(page.locator("#status")).to_have_text("niet geplaatst")
            page.get_by_role("button", name="SBR inschakelen").click()
            expect(page.locator("#status")).to_have_text("geplaatst")
            expect(page.locator("#explanation")).to_contain_text("geplaatst bij relatie 1001")
            shot = tmp_path / "review-page.png"
            page.screenshot(path=str(shot), full_page=True)
            browser.close()
        artifacts = REPO_ROOT / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        shutil.copy(shot, artifacts / "review-page.png")
        assert shot.stat().st_size > 10_000
    finally:
        pipeline.stop_all()


def test_a_placed_returns_page_shows_its_deadlines_and_payment_facts(world: World) -> None:
    client = world.client
    placed = client.post(
        "/api/offices/a/relations/1001/sbr",
        json={"type": "OB", "value": "NL001000044B37", "sbr_enabled": True},
        headers=world.auth(),
    )
    assert placed.status_code == 200, placed.text
    form = client.get("/login").text
    client.post(
        "/login", data={"email": "staff@a.example", "password": PASSWORD, "csrf": _token(form)}
    )
    page = client.get(f"/returns/{world.sbr_off}").text
    # Q1 2026 of OB 001000044B37: filed and paid by 30 April; the kenmerk as printed.
    assert "Uiterste aangiftedatum</th><td>30-04-2026" in page
    assert "Uiterste betaaldatum</th><td>30-04-2026" in page
    assert "1001.0000.4163.7210" in page
    assert "NL86 INGB 0002 4455 88" in page
