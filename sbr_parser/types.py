"""The parser's results: a typed :class:`ParsedReturn` or a typed :class:`Rejection`.

Both are immutable ``NamedTuple`` classes rather than pydantic models or frozen dataclasses: the
parser makes one per message on the hot path, where a validated model costs more than reading a
small return and a frozen dataclass's ``__init__`` several times a tuple's. Their fields are
already checked by the code that fills them. ``to_record()`` gives the JSON shape of
docs/contracts.md.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

__all__ = [
    "RECORD_KEYS",
    "IdentifierType",
    "ParseResult",
    "ParsedReturn",
    "Rejection",
    "RejectionReason",
    "ReturnKind",
    "Taxonomy",
]


class ReturnKind(enum.StrEnum):
    """The return kinds of docs/domain.md (return kinds)."""

    OB = "OB"
    OB_SUPPLETIE = "OB_SUPPLETIE"
    ICP = "ICP"
    IB = "IB"
    VPB = "VPB"
    LH = "LH"


class IdentifierType(enum.StrEnum):
    """Fiscal number types, as the client record's three fields; a return is matched on one."""

    OB = "OB"
    BSN_RSIN = "BSN_RSIN"
    LH = "LH"


class RejectionReason(enum.StrEnum):
    """Why a message cannot be read as a return (docs/domain.md, plus ``unsafe_xml``)."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    PARSE_ERROR = "parse_error"
    # Added to the original list: a DOCTYPE (the vehicle of XXE, billion laughs and quadratic
    # blowup) is never in a real SBR message, and staff should see "refused as unsafe" rather
    # than "could not parse" for it. See the issue note.
    UNSAFE_XML = "unsafe_xml"
    NOT_A_RETURN = "not_a_return"
    UNSUPPORTED_KIND = "unsupported_kind"
    MISSING_IDENTIFIER = "missing_identifier"
    MISSING_PERIOD = "missing_period"
    # A value no real return holds and the inbox cannot store: an identifier of more than 32
    # characters, an amount of a trillion euro or more, a schemaRef of over 500 characters, a
    # period outside 1900-2199. Refused here so it can never break a later step (issue 12).
    OUT_OF_RANGE = "out_of_range"


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """Which schema a message was made against.

    For XBRL: the ``link:schemaRef`` href, its entrypoint name (``bd-rpt-ob-aangifte-2020``), the
    entrypoint's year (the filing year it is *for*, not the NT year) and the NT generation.
    For the Loonaangifte: the root namespace and the year in it.
    """

    reference: str
    entrypoint: str
    year: int | None
    generation: str | None


class ParsedReturn(NamedTuple):
    """A message that was read as a return: whose, which kind, which period."""

    sha256: str
    size: int
    kind: ReturnKind
    identifier: str
    identifier_normalised: str
    identifier_type: IdentifierType
    identifier_valid: bool
    period_start: dt.date
    period_end: dt.date
    taxonomy: Taxonomy
    amount_due: Decimal | None = None
    filename: str | None = None

    @property
    def status(self) -> str:
        return "parsed"

    def to_record(self) -> dict[str, object]:
        """The docs/contracts.md ``parse --json`` fields (without ``file``), plus added fields."""
        return _record(
            self,
            period_start=self.period_start.isoformat(),
            period_end=self.period_end.isoformat(),
            identifier_normalised=self.identifier_normalised,
            identifier_valid=self.identifier_valid,
            amount_due=None if self.amount_due is None else str(self.amount_due),
        )


class Rejection(NamedTuple):
    """A message that cannot be read as a return, with the reason code and a sentence for staff.

    What the parser did learn before it stopped (the kind, the identifier, the taxonomy) is kept,
    so the review queue can show "an OB return of 001000044B37 without a period" rather than just
    "missing_period".
    """

    sha256: str
    size: int
    reason: RejectionReason
    detail: str
    kind: ReturnKind | None = None
    identifier: str | None = None
    identifier_type: IdentifierType | None = None
    taxonomy: Taxonomy | None = None
    filename: str | None = None

    @property
    def status(self) -> str:
        return "rejected"

    def to_record(self) -> dict[str, object]:
        """The docs/contracts.md ``parse --json`` fields (without ``file``), plus added fields."""
        return _record(
            self,
            reason=self.reason.value,
            detail=self.detail,
        )


ParseResult = ParsedReturn | Rejection


#: The keys of a ``to_record()`` dict, in order: docs/contracts.md's (without ``file``), then the
#: fields we added. One list, so a parsed and a rejected record can never differ in shape.
RECORD_KEYS = (
    "sha256",
    "status",
    "reason",
    "kind",
    "identifier",
    "identifier_type",
    "period_start",
    "period_end",
    "taxonomy",
    "detail",
    "identifier_normalised",
    "identifier_valid",
    "entrypoint",
    "taxonomy_year",
    "amount_due",
    "size",
)


def _record(result: ParsedReturn | Rejection, **fields: object) -> dict[str, object]:
    kind, identifier_type, taxonomy = result.kind, result.identifier_type, result.taxonomy
    record: dict[str, object] = dict.fromkeys(RECORD_KEYS)
    record.update(
        sha256=result.sha256,
        status=result.status,
        kind=None if kind is None else kind.value,
        identifier=result.identifier,
        identifier_type=None if identifier_type is None else identifier_type.value,
        taxonomy=None if taxonomy is None else taxonomy.reference,
        entrypoint=None if taxonomy is None else taxonomy.entrypoint,
        taxonomy_year=None if taxonomy is None else taxonomy.year,
        size=result.size,
        **fields,
    )
    return record
