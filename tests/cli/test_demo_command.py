"""``sbr-inbox demo`` runs on the embedded default and shows every kind and every rejection."""

from __future__ import annotations

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


def test_demo_prints_the_table_and_summary() -> None:
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "SBR inbox demo" in result.stdout
    assert "12 parsed" in result.stdout
    assert "6 rejected" in result.stdout
