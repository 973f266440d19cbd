"""Shared fixtures. The real sample messages are read from ../shared/samples, never copied here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The database fixtures (engine, session on SQLite and PostgreSQL) for every test package.
pytest_plugins = ["tests.database", "tests.pipeline_fixtures", "tests.api_fixtures"]

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = Path(os.environ.get("SBR_INBOX_SAMPLES_DIR", REPO_ROOT.parent / "shared" / "samples"))


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The shared sample folder; a missing folder fails the run instead of skipping tests."""
    if not (SAMPLES_DIR / "PROVENANCE.md").is_file():
        pytest.fail(
            f"sample messages not found at {SAMPLES_DIR}; clone beside ../shared or set "
            "SBR_INBOX_SAMPLES_DIR"
        )
    return SAMPLES_DIR


# The fault suite's counts, printed at the end of every run that includes it. Here, not in
# tests/faults/conftest.py: under xdist the controller only loads the root conftest.
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = [
        f"{report.nodeid.split('::')[-1]}: "
        + ", ".join(
            f"{key}={value}" for key, value in dict(report.user_properties)["fault"].items()
        )
        for report in terminalreporter.stats.get("passed", [])
        if report.when == "call" and "fault" in dict(report.user_properties)
    ]
    if lines:
        terminalreporter.section("fault suite counts")
        for line in lines:
            terminalreporter.line(line)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key}={value}" for key, value in counts.items())
