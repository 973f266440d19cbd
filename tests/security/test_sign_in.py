"""Sign-in and sessions (issue 12, items 9 and 11): guessing is slowed per account and per
address, password hashing is bounded, and a signed-out cookie no longer works."""

from __future__ import annotations

import threading
import time

import pytest
from argon2 import PasswordHasher

import crm.staff as staff_module
from api.throttle import SignInThrottle
from crm.offices import get_office
from crm.staff import add_staff, check_password, end_sessions, remove_staff
from models import session_scope
from tests.api_fixtures import World
from tests.security.conftest import PASSWORD, sign_in


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_guessing_a_password_is_slowed_and_the_right_one_waits_too(world: World) -> None:
    clock = Clock()
    world.client.app.state.sign_in_throttle = SignInThrottle(clock=clock)  # type: ignore[attr-defined]
    codes = [sign_in(world.client, "staff@a.example", f"guess {n}").status_code for n in range(5)]
    assert codes == [401] * 5
    # The sixth attempt within the backoff is refused unchecked, even with the right password.
    refused = sign_in(world.client, "staff@a.example", PASSWORD)
    assert refused.status_code == 429
    assert "Te veel mislukte pogingen" in refused.text
    clock.now += 1.5
    assert sign_in(world.client, "staff@a.example", "guess 6").status_code == 401
    clock.now += 1.5  # the wait doubled to 2 s
    assert sign_in(world.client, "staff@a.example", PASSWORD).status_code == 429
    clock.now += 1
    assert sign_in(world.client, "staff@a.example", PASSWORD).status_code == 303


def test_one_address_trying_many_accounts_is_slowed() -> None:
    clock = Clock()
    throttle = SignInThrottle(clock=clock)
    for n in range(20):
        keys = (f"account:user{n}@x.example", "address:203.0.113.9")
        assert throttle.wait_seconds(*keys) == 0
        throttle.failed(*keys)
    assert throttle.wait_seconds("account:fresh@x.example", "address:203.0.113.9") > 0
    assert throttle.wait_seconds("account:fresh@x.example", "address:198.51.100.1") == 0


def test_the_throttle_forgets_the_oldest_keys_past_its_bound() -> None:
    throttle = SignInThrottle(max_keys=100)
    for n in range(1000):
        throttle.failed(f"address:10.0.{n // 250}.{n % 250}")
    assert len(throttle._failures) == 100


def test_no_more_than_the_pool_hashes_at_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    running = peak = 0
    lock = threading.Lock()
    real_verify = staff_module._HASHER.verify

    def counting_verify(stored: str, password: str) -> bool:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            time.sleep(0.05)
            return real_verify(stored, password)
        finally:
            with lock:
                running -= 1

    class CountingHasher:
        def verify(self, stored: str, password: str) -> bool:
            return counting_verify(stored, password)

        def hash(self, password: str) -> str:
            return PasswordHasher().hash(password)

    monkeypatch.setattr(staff_module, "_HASHER", CountingHasher())

    def attempt() -> None:
        with session_scope(world.engine) as session:
            check_password(session, "staff@a.example", "wrong password")

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak == staff_module.HASH_SLOTS


def test_a_signed_out_cookie_is_refused_when_replayed(world: World) -> None:
    assert sign_in(world.client, "staff@a.example", PASSWORD).status_code == 303
    cookie = world.client.cookies.get("sbr_inbox_session")
    assert cookie is not None
    assert world.client.get("/", follow_redirects=False).status_code == 200
    page = world.client.get("/").text
    token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    assert world.client.post("/logout", data={"csrf": token}, follow_redirects=False).is_redirect

    world.client.cookies.set("sbr_inbox_session", cookie)  # the attacker kept a copy
    replayed = world.client.get("/", follow_redirects=False)
    assert replayed.status_code == 303
    assert replayed.headers["location"] == "/login"


def test_ending_a_members_sessions_signs_every_browser_out(world: World) -> None:
    assert sign_in(world.client, "staff@a.example", PASSWORD).status_code == 303
    assert world.client.get("/", follow_redirects=False).status_code == 200
    with session_scope(world.engine) as session:
        end_sessions(session, "staff@a.example")
    assert world.client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_a_removed_members_cookie_does_not_sign_in_the_next_member(world: World) -> None:
    """Issue 22, item 5: SQLite reuses a removed row's id, and a new member's first session
    generation is that of the removed one's first session: the old cookie must still fail."""
    with session_scope(world.engine) as session:
        gone = add_staff(session, get_office(session, "a"), "gone@a.example", PASSWORD)
        gone_id = gone.id
    assert sign_in(world.client, "gone@a.example", PASSWORD).status_code == 303
    cookie = world.client.cookies.get("sbr_inbox_session")
    assert cookie is not None
    with session_scope(world.engine) as session:
        remove_staff(session, "gone@a.example")
    with session_scope(world.engine) as session:
        newcomer = add_staff(session, get_office(session, "b"), "new@b.example", PASSWORD)
        reused = newcomer.id == gone_id
    if world.engine.dialect.name == "sqlite":
        assert reused  # the condition of the attack: the id alone names the newcomer
    world.client.cookies.clear()
    world.client.cookies.set("sbr_inbox_session", cookie)
    replayed = world.client.get("/", follow_redirects=False)
    assert replayed.status_code == 303
    assert replayed.headers["location"] == "/login"

