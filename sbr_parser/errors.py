"""Errors raised inside the parser; :func:`sbr_parser.parse_message` turns each into a Rejection.

They never leave the package through ``parse_message``: a bad message is a *result*, not a crash.
They exist so the code that finds a problem can say so where it is, with the context it has.

    SbrParseError                     base; carries the reason code and what was learnt so far
    ├── EmptyMessageError             the body is empty or only white space
    ├── MessageTooLargeError          the body is over the size limit (checked before parsing)
    ├── MalformedXmlError             not well-formed XML: truncated, binary junk, bad encoding
    ├── UnsafeXmlError                a DOCTYPE / entity declarations (XXE, entity bombs)
    ├── NotAReturnError               well-formed XML that is not a return of any kind we know
    ├── UnsupportedKindError          a Belastingdienst message or XBRL entrypoint we do not handle
    ├── MissingIdentifierError        a return without a (single, well-placed) fiscal identifier
    ├── MissingPeriodError            a return without a valid period
    └── OutOfRangeError               a value beyond what any real return holds (see limits)
"""

from __future__ import annotations

from typing import ClassVar

from sbr_parser.types import IdentifierType, RejectionReason, ReturnKind, Taxonomy

__all__ = [
    "EmptyMessageError",
    "MalformedXmlError",
    "MessageTooLargeError",
    "MissingIdentifierError",
    "MissingPeriodError",
    "NotAReturnError",
    "OutOfRangeError",
    "SbrParseError",
    "UnsafeXmlError",
    "UnsupportedKindError",
]


class SbrParseError(Exception):
    """Raised when a message cannot be read as a return; ``reason`` says which way it failed."""

    reason: ClassVar[RejectionReason]

    def __init__(
        self,
        detail: str,
        *,
        kind: ReturnKind | None = None,
        identifier: str | None = None,
        identifier_type: IdentifierType | None = None,
        taxonomy: Taxonomy | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.kind = kind
        self.identifier = identifier
        self.identifier_type = identifier_type
        self.taxonomy = taxonomy


class EmptyMessageError(SbrParseError):
    """Raised when the body is empty or only white space."""

    reason = RejectionReason.EMPTY


class MessageTooLargeError(SbrParseError):
    """Raised when the body is larger than the configured limit, before any parsing."""

    reason = RejectionReason.TOO_LARGE


class MalformedXmlError(SbrParseError):
    """Raised when the body is not well-formed XML (truncated, binary, wrong encoding)."""

    reason = RejectionReason.PARSE_ERROR


class UnsafeXmlError(SbrParseError):
    """Raised when the body declares a DOCTYPE or entities, which no SBR message does."""

    reason = RejectionReason.UNSAFE_XML


class NotAReturnError(SbrParseError):
    """Raised when well-formed XML is neither an XBRL instance nor a Belastingdienst message."""

    reason = RejectionReason.NOT_A_RETURN


class UnsupportedKindError(SbrParseError):
    """Raised for a Belastingdienst message or XBRL entrypoint that is not one of our kinds."""

    reason = RejectionReason.UNSUPPORTED_KIND


class MissingIdentifierError(SbrParseError):
    """Raised when a return has no fiscal identifier where its kind carries it, or several."""

    reason = RejectionReason.MISSING_IDENTIFIER


class MissingPeriodError(SbrParseError):
    """Raised when a return has no period, or one whose dates are not valid."""

    reason = RejectionReason.MISSING_PERIOD


class OutOfRangeError(SbrParseError):
    """Raised for a value no real return holds and the inbox cannot store (:mod:`.limits`)."""

    reason = RejectionReason.OUT_OF_RANGE
