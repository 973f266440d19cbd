"""``sbr-inbox db upgrade`` makes the schema in the database the settings name."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def test_db_upgrade_creates_the_schema_and_can_run_again(tmp_path: Path) -> None:
    database = tmp_path / "inbox.db"
    env = {**os.environ, "SBR_INBOX_DATABASE_URL": f"sqlite:///{database}"}
    command = [sys.executable, "-m", "cli.main", "db", "upgrade"]
    for _ in range(2):
        completed = subprocess.run(  # noqa: S603 - our own CLI
            command, capture_output=True, text=True, env=env, check=False
        )
        assert completed.returncode == 0, completed.stderr
        assert "newest schema" in completed.stdout
    tables = {row[0] for row in sqlite3.connect(database).execute("SELECT name FROM sqlite_master")}
    assert {"office", "relation", "fiscal_number", "alembic_version"} <= tables
