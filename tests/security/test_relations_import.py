"""`relations import` (issue 12, item 21): hostile files get a clear error and change nothing;
no traceback, on either backend (NUL and out-of-range numbers only broke PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import run_cli

ROW = {"number": "1001", "type": "organisation", "name": "Jansen B.V.", "legal_form": "bv"}


def _nested(depth: int) -> str:
    return '{"office": "demo", "relations": [' + "[" * depth + "]" * depth + "]}"


CASES: dict[str, tuple[str, str, str]] = {
    # name: (file name, content, what the error must say)
    "deeply nested": ("r.json", _nested(100_000), "nested too deeply"),
    "nested in a row": (
        "r.json",
        json.dumps({"office": "demo", "relations": [{**ROW, "memo": [[[[[[[[[[["x"]]]]]]]]]]]}]}),
        "nested too deeply",
    ),
    "NUL character": (
        "r.json",
        json.dumps({"office": "demo", "relations": [{**ROW, "name": "Jansen\u0000B.V."}]}),
        "NUL",
    ),
    "number out of range": (
        "r.json",
        json.dumps({"office": "demo", "relations": [{**ROW, "employee_count": 10**30}]}),
        "employee_count",
    ),
    "5,000-digit number": (
        "r.json",
        '{"office": "demo", "relations": [{"number": ' + "9" * 5000 + "}]}",
        "cannot be read",
    ),
    "free text without end": (
        "r.json",
        json.dumps({"office": "demo", "relations": [{**ROW, "memo": "x" * 20_000}]}),
        "memo",
    ),
    "CSV cell over 128 KiB": (
        "r.csv",
        "number,type,name,legal_form\n1001,organisation," + "x" * 200_000 + ",bv\n",
        "line 2",
    ),
    "CSV column inside a column": (
        "r.csv",
        "number,type,name,name.x,legal_form\n1001,organisation,A,B,bv\n",
        "'name' and 'name.x'",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_file_gets_a_clear_error(
    case: str, own_database_url: str, tmp_path: Path
) -> None:
    name, content, says = CASES[case]
    (tmp_path / name).write_text(content, encoding="utf-8")
    run = run_cli(own_database_url, tmp_path)
    completed = run("relations", "import", name, "--office", "demo")
    assert completed.returncode == 1, completed.stdout
    assert "Traceback" not in completed.stderr
    assert says in completed.stderr + completed.stdout
    assert "no office yet" in run("relations", "export").stderr  # nothing was written
