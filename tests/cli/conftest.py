"""Run the real ``sbr-inbox`` console entry point in a subprocess, against a chosen database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

Run = Callable[..., subprocess.CompletedProcess[str]]


def run_cli(database_url: str, cwd: Path) -> Run:
    """A function running ``sbr-inbox ARGS...`` with ``database_url`` in its settings."""
    env = {**os.environ, "SBR_INBOX_DATABASE_URL": database_url, "COLUMNS": "120"}

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own CLI
            [sys.executable, "-m", "cli.main", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
            input=stdin,
            check=False,
        )

    return run


@pytest.fixture
def sbr_inbox(tmp_path: Path) -> Run:
    """The CLI on a fresh embedded (SQLite) database in the test's own folder."""
    return run_cli(f"sqlite:///{tmp_path / 'sbr-inbox.db'}", tmp_path)
