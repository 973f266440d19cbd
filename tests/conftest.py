"""Shared fixtures.

The real sample messages are a corpus outside this repository (docs/README.md): read from
``SBR_INBOX_SAMPLES_DIR``, or from ``../shared/samples`` beside a clone, never copied here. The
tests that need it are marked ``corpus`` (automatically, by using the ``samples_dir`` fixture)
and skipped without it, with one line at the end of the run saying how many and how to get
them; ``SBR_INBOX_REQUIRE_SAMPLES=1`` (set by ``.ci/run``) makes a missing corpus a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The database fixtures (engine, session on SQLite and PostgreSQL) for every test package.
pytest_plugins = ["tests.database", "tests.pipeline_fixtures", "tests.api_fixtures"]

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = Path(os.environ.get("SBR_INBOX_SAMPLES_DIR", REPO_ROOT.parent / "shared" / "samples"))


REQUIRE_SAMPLES = os.environ.get("SBR_INBOX_REQUIRE_SAMPLES", "") not in ("", "0")
_NO_CORPUS = "the real-sample corpus is not here"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The real-sample folder; without it the test is skipped (failed when it is required)."""
    if not (SAMPLES_DIR / "PROVENANCE.md").is_file():
        message = f"{_NO_CORPUS} ({SAMPLES_DIR}); set SBR_INBOX_SAMPLES_DIR"
        if REQUIRE_SAMPLES:
            pytest.fail(message + " (SBR_INBOX_REQUIRE_SAMPLES is set)")
        pytest.skip(message)
    return SAMPLES_DIR


# A test using one of these needs a database, a server or a subprocess: it is not `pure`.
SERVICE_FIXTURES = frozenset(
    {
        "database_url",
        "own_database_url",
        "engine",
        "session",
        "pipeline",
        "pipeline_database",
        "machine_redis_url",
        "world",
        "read_only_world",
        "sbr_inbox",
        "samples_dir",
    }
)
# Folders whose tests run the real command line or real processes.
SERVICE_FOLDERS = ("cli", "pipeline", "faults", "web")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `corpus` tests (they read the sample corpus) and `pure` tests (no database, no
    server, no subprocess: `make test-fast` runs just these)."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "samples_dir" in fixtures:
            item.add_marker(pytest.mark.corpus)
        folder = item.path.relative_to(REPO_ROOT / "tests").parts[0]
        if (
            not fixtures & SERVICE_FIXTURES
            and folder not in SERVICE_FOLDERS
            and item.get_closest_marker("service") is None
        ):
            item.add_marker(pytest.mark.pure)


# The fault suite's counts, printed at the end of every run that includes it. Here, not in
# tests/faults/conftest.py: under xdist the controller only loads the root conftest.
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if _NO_CORPUS in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} corpus test(s) skipped: the real sample messages are not here. "
            "Point SBR_INBOX_SAMPLES_DIR at the samples folder (with PROVENANCE.md), or clone "
            "this repository beside shared/ holding samples/ (see docs/README.md).",
            yellow=True,
        )
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
