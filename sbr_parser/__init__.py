"""SBR message parser: bytes in, a typed ParsedReturn or a typed Rejection out.

Pure: no database, no Celery, no network, no settings lookup (the size limit is an argument).
See docs/domain.md for the kinds and docs/message-formats.md for where each keeps its data.

>>> from sbr_parser import parse_message
>>> result = parse_message(b"<not-a-return/>")
>>> result.status, result.reason.value
('rejected', 'not_a_return')
"""

from sbr_parser.identifiers import (
    CheckedIdentifier,
    check_identifier,
    is_btw_id,
    normalise_identifier,
)
from sbr_parser.parse import parse_file, parse_message
from sbr_parser.types import (
    IdentifierType,
    ParsedReturn,
    ParseResult,
    Rejection,
    RejectionReason,
    ReturnKind,
    Taxonomy,
)
from sbr_parser.xml_safety import DEFAULT_MAX_MESSAGE_BYTES

__all__ = [
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
