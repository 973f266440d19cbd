"""The command listing imports no command's module, and says what each command says itself."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from cli.lazy import load
from cli.main import COMMANDS
from tests.conftest import REPO_ROOT

HEAVY = ("sqlalchemy", "alembic", "fastapi", "celery", "uvicorn", "pydantic_settings")


@pytest.mark.parametrize("entry", COMMANDS, ids=lambda entry: entry.name)
def test_each_listed_help_is_the_commands_own(entry: object) -> None:
    from cli.lazy import LazyEntry  # noqa: PLC0415 - the parameter's type, for mypy

    assert isinstance(entry, LazyEntry)
    command = load(entry)
    own = (command.help or "").strip().splitlines()[0]
    assert entry.help == own


def test_the_listing_and_parse_help_import_no_heavy_module() -> None:
    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from cli.main import app\n"
        "for args in (['--help'], ['parse', '--help']):\n"
        "    result = CliRunner().invoke(app, args)\n"
        "    assert result.exit_code == 0, result.output\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    output = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


def test_an_unknown_command_is_refused() -> None:
    from typer.testing import CliRunner  # noqa: PLC0415

    from cli.main import app  # noqa: PLC0415

    result = CliRunner().invoke(app, ["nope"])
    assert result.exit_code == 2
    assert "No such command" in result.output
    assert isinstance(app, typer.Typer)
