"""``sbr-inbox parse``: the docs/contracts.md JSON-lines contract, exit codes, the table view."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from cli.parse import _parse_one
from cli.render import json_line
from sbr_parser import Rejection, RejectionReason
from tests.sbr_parser.test_samples import EXPECTED, EXPECTED_REJECTIONS

CONTRACT_FIELDS = {
    "file",
    "sha256",
    "status",
    "reason",
    "kind",
    "identifier",
    "identifier_type",
    "period_start",
    "period_end",
    "taxonomy",
}


def _sbr_inbox() -> list[str]:
    script = shutil.which("sbr-inbox", path=str(Path(sys.executable).parent))
    assert script, "the sbr-inbox console script is not installed in this environment"
    return [script]


def test_console_script_gives_provenance_values_for_every_sample(samples_dir: Path) -> None:
    files = sorted(str(p) for p in samples_dir.glob("*/*"))
    completed = subprocess.run(  # noqa: S603 - our own console script
        [*_sbr_inbox(), "parse", *files, "--json"], capture_output=True, text=True, check=False
    )
    lines = [json.loads(line) for line in completed.stdout.splitlines()]
    assert [line["file"] for line in lines] == files
    by_name = {Path(line["file"]).relative_to(samples_dir).as_posix(): line for line in lines}
    for name, expected in EXPECTED.items():
        line = by_name[name]
        assert line.keys() >= CONTRACT_FIELDS
        assert line["status"] == "parsed"
        assert line["reason"] is None
        assert line["kind"] == expected.kind.value
        assert line["identifier"] == expected.identifier
        assert line["period_start"] == expected.period[0].isoformat()
        assert line["period_end"] == expected.period[1].isoformat()
        assert line["taxonomy"] == expected.taxonomy
    for name, reason in EXPECTED_REJECTIONS.items():
        assert by_name[name]["status"] == "rejected"
        assert by_name[name]["reason"] == reason.value
    # The UBD sample is rejected, so the whole run exits 1.
    assert completed.returncode == 1, completed.stderr


def test_exit_zero_when_every_file_parsed(samples_dir: Path) -> None:
    result = CliRunner().invoke(
        app, ["parse", str(samples_dir / "ob"), str(samples_dir / "lh"), "--json"]
    )
    assert result.exit_code == 0, result.output
    statuses = [json.loads(line)["status"] for line in result.stdout.splitlines()]
    assert statuses == ["parsed"] * 3


def test_folders_are_read_recursively_and_each_file_once(samples_dir: Path) -> None:
    ob = samples_dir / "ob"
    result = CliRunner().invoke(
        app, ["parse", str(samples_dir), str(ob / "VB-01_bd-rpt-ob-aangifte-2020.xbrl"), "--json"]
    )
    files = [json.loads(line)["file"] for line in result.stdout.splitlines()]
    on_disk = [p for p in samples_dir.rglob("*") if p.is_file()]
    assert len(files) == len(set(files)) == len(on_disk)  # PROVENANCE.md included: rejected
    assert result.exit_code == 1


def test_table_view_names_kind_identifier_and_reason(samples_dir: Path) -> None:
    result = CliRunner().invoke(app, ["parse", str(samples_dir / "ob"), str(samples_dir / "other")])
    assert result.exit_code == 1
    assert "001000044B37" in result.stdout
    assert "unsupported_kind" in result.stdout
    assert "2 parsed (OB 2), 1 rejected (unsupported_kind 1)" in result.stdout


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["parse", str(tmp_path / "nope.xbrl"), "--json"])
    assert result.exit_code == 2
    # Rich wraps the message in a box as wide as the terminal: read it as one line of words.
    words = " ".join(result.output.replace("│", " ").split())
    assert "does not exist" in words


def test_unreadable_file_is_reported_not_skipped(tmp_path: Path) -> None:
    # As root every file is readable, so use a path that cannot be read as a file at all.
    result = _parse_one(tmp_path, max_bytes=1000)
    assert isinstance(result, Rejection)
    assert result.reason is RejectionReason.PARSE_ERROR
    assert "could not be read" in result.detail
    assert json.loads(json_line(str(tmp_path), result))["status"] == "rejected"


def test_size_limit_comes_from_the_environment(samples_dir: Path) -> None:
    sample = samples_dir / "ob" / "VB-01_bd-rpt-ob-aangifte-2020.xbrl"
    env = {**os.environ, "SBR_INBOX_MAX_MESSAGE_BYTES": "1000"}
    completed = subprocess.run(  # noqa: S603 - our own console script
        [*_sbr_inbox(), "parse", str(sample), "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    line = json.loads(completed.stdout)
    assert (line["status"], line["reason"]) == ("rejected", "too_large")
    assert completed.returncode == 1
