"""The fault suite prints its counts at the end of the run (and fails on any loss)."""

from __future__ import annotations

import pytest


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
