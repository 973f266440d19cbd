"""``sbr-inbox demo`` runs on the embedded default and shows every kind and every rejection."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.demo import demo_messages
from cli.main import app
from sbr_parser import ParsedReturn, RejectionReason, ReturnKind, parse_message


def test_demo_messages_cover_every_kind_and_reason() -> None:
    results = [parse_message(data) for _, data in demo_messages()]
    kinds = {r.kind for r in results if isinstance(r, ParsedReturn)}
    reasons = {r.reason for r in results if not isinstance(r, ParsedReturn)}
    assert kinds == set(ReturnKind)
    assert {
        RejectionReason.EMPTY,
        RejectionReason.PARSE_ERROR,
        RejectionReason.UNSAFE_XML,
        RejectionReason.NOT_A_RETURN,
        RejectionReason.UNSUPPORTED_KIND,
    } <= reasons


def test_demo_runs_the_whole_inbox_on_a_fresh_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for _ in range(2):  # a second run starts afresh, it does not pile up duplicates
        result = CliRunner().invoke(app, ["demo"])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "sbr-inbox-demo.db").is_file()
    out = " ".join(result.stdout.split())
    assert "SBR inbox demo" in out
    for reason in (
        "ambiguous",
        "before_sbr_start",
        "invalid_identifier",
        "no_product",
        "no_relation",
        "sbr_disabled",
        "wrong_relation_type",
        "unsafe_xml",
    ):
        assert reason in out
    assert "│ matched │ │ 6 │" in out
    assert "│ duplicate │ │ 1 │" in out
    assert "1 return(s) placed after the change" in out
    assert "22 messages processed" in out
    assert "1002-1 │ aangifte_ib" in out
