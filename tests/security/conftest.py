"""Helpers of the security regression tests (issue 12): each module reproduces one area's
attacks from the audit and fails on the code before its fix."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response

from config import get_settings

SetEnv = Callable[..., None]


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[SetEnv]:
    """Set ``SBR_INBOX_*`` variables for this test; the settings are read anew."""

    def set_env(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"SBR_INBOX_{name.upper()}", value)
        get_settings.cache_clear()

    yield set_env
    monkeypatch.undo()
    get_settings.cache_clear()


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token of the form on ``path``."""
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found is not None, f"no CSRF field on {path}"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str) -> Response:
    """Post the sign-in form as a browser would (redirects not followed)."""
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf": csrf_of(client)},
        follow_redirects=False,
    )


PASSWORD = "correct horse battery"  # noqa: S105 - the world fixture's staff password
