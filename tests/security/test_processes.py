"""Process start-up (issue 12, items 13 and 14): `serve` refuses a missing or weak session key
outside development, and Flower never starts without authentication."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from config import secret_key_problem
from tests.support.harness import Pipeline, free_port, wait_for

pytestmark = pytest.mark.service  # each test starts the real command line


def _start(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SBR_INBOX_")}
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "cli.main", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**clean, "SBR_INBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **env},
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("key", [None, "changeme", "a" * 40])
def test_serve_on_a_public_address_refuses_a_weak_key(tmp_path: Path, key: str | None) -> None:
    env = {} if key is None else {"SBR_INBOX_SECRET_KEY": key}
    completed = _start(tmp_path, "serve", "--host", "0.0.0.0", "--port", "1", **env)  # noqa: S104
    assert completed.returncode == 1
    assert "SBR_INBOX_SECRET_KEY" in completed.stderr


def test_the_key_rules() -> None:
    assert secret_key_problem(None) is not None
    assert secret_key_problem("changeme") is not None
    assert secret_key_problem("0123456789" * 4) is not None  # 40 characters, but only ten kinds
    assert secret_key_problem("kP3x9-Qw_7ZsLm2VbN8rTy4UeA6oIc1Hd5Gj0Fh") is None


def test_flower_does_not_start_without_authentication(tmp_path: Path) -> None:
    for auth in (None, "ops:", "ops:short"):
        env = {"SBR_INBOX_BROKER_URL": "redis://127.0.0.1:1/0"}
        if auth is not None:
            env["SBR_INBOX_FLOWER_BASIC_AUTH"] = auth
        completed = _start(tmp_path, "flower", "--port", "1", **env)
        assert completed.returncode == 1, auth
        assert "SBR_INBOX_FLOWER_BASIC_AUTH" in completed.stderr


def test_flowers_metrics_need_the_credentials(pipeline: Pipeline) -> None:
    """Issue 22, item 16: Flower's own /metrics (task names, workers, queues) answered anyone
    even with basic auth set."""
    port = free_port()
    pipeline.env["SBR_INBOX_FLOWER_BASIC_AUTH"] = "ops:flower-secret"
    pipeline.start("flower", "flower", f"--port={port}")
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return httpx.get(f"{base}/healthcheck", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    wait_for(answers, 60, "Flower to answer /healthcheck (see flower.log)")
    assert httpx.get(f"{base}/metrics", timeout=5).status_code == 401
    wrong = httpx.get(f"{base}/metrics", auth=("ops", "wrong-secret"), timeout=5)
    assert wrong.status_code == 401
    scraped = httpx.get(f"{base}/metrics", auth=("ops", "flower-secret"), timeout=5)
    assert scraped.status_code == 200
    assert "flower_" in scraped.text
