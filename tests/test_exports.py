"""Each package's public surface is pinned: a removed or renamed export fails here first."""

from __future__ import annotations

from pathlib import Path

import sbr_parser
from sbr_parser.types import RECORD_KEYS


def test_sbr_parser_exports() -> None:
    assert sorted(sbr_parser.__all__) == sorted(
        [
            "DEFAULT_MAX_MESSAGE_BYTES",
            "CheckedIdentifier",
            "IdentifierType",
            "ParseResult",
            "ParsedReturn",
            "Rejection",
            "RejectionReason",
            "ReturnKind",
            "Taxonomy",
            "check_identifier",
            "is_btw_id",
            "normalise_identifier",
            "parse_file",
            "parse_message",
        ]
    )
    for name in sbr_parser.__all__:
        assert getattr(sbr_parser, name) is not None


def test_rejection_reasons_include_every_design_code() -> None:
    design = {
        "empty",
        "parse_error",
        "not_a_return",
        "unsupported_kind",
        "too_large",
        "missing_identifier",
        "missing_period",
    }
    assert design <= {reason.value for reason in sbr_parser.RejectionReason}


def test_parsed_and_rejected_records_have_the_same_keys(samples_dir: Path) -> None:
    parsed = sbr_parser.parse_message(
        (samples_dir / "ob" / "VB-01_bd-rpt-ob-aangifte-2020.xbrl").read_bytes()
    )
    rejected = sbr_parser.parse_message(b"")
    assert tuple(parsed.to_record()) == tuple(rejected.to_record()) == RECORD_KEYS
