"""What a real return can hold: the bounds every value read from a message must stay within.

A message comes from outside, so a value in it can be anything: a 4.5 MB "identifier", an amount
of 10^20, a schemaRef of 600 characters, a period in the year 9999. None of these is a return,
and each would break a later step (a database column, the planner's date arithmetic, a cache
keyed by the identifier). They are refused here, as ``out_of_range`` with a sentence, so that no
step after the parser ever sees them. The bounds are far beyond any real return:

* a fiscal number is at most 14 characters written compactly (``NL001000044B37``); 32 leaves
  room for spaces and dots, and is the inbox's column size for numbers entered by staff;
* an amount due is stored with two decimals below 10^12 (a trillion euro);
* a taxonomy reference (the ``link:schemaRef`` href or the Loonaangifte namespace) is under 150
  characters in every published taxonomy; 500 is the stored column;
* a period lies between 1900 and 2199 (a later date could not even be given a deadline);
* a message has at most :data:`MAX_ELEMENTS` elements (see :mod:`.xml_safety`): a tree costs
  about 160-240 bytes per element whatever the bytes, so 5 million small ones in a 19 MB
  message took 808 MB; at the limit a message costs ~120 MB at most (``bench/parse.py
  --limits``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sbr_parser.errors import OutOfRangeError
from sbr_parser.types import Taxonomy

__all__ = [
    "MAX_AMOUNT",
    "MAX_ELEMENTS",
    "MAX_IDENTIFIER_CHARS",
    "MAX_TAXONOMY_CHARS",
    "check_values",
    "fits_identifier",
    "fits_taxonomy",
]

MAX_IDENTIFIER_CHARS = 32
MAX_AMOUNT = Decimal(10) ** 12
MAX_TAXONOMY_CHARS = 500
FIRST_YEAR = 1900
LAST_YEAR = 2199
#: About 500,000 elements (counted as ``<`` characters, two per element). The largest real
#: messages, a Loonaangifte for thousands of employees (~40 elements each), stay well below.
MAX_ELEMENTS = 500_000


def fits_identifier(identifier: str | None) -> bool:
    """Whether an identifier as found is short enough to be one (checked before normalising)."""
    return identifier is None or len(identifier) <= MAX_IDENTIFIER_CHARS


def fits_taxonomy(taxonomy: Taxonomy | None) -> bool:
    """Whether a taxonomy reference is short enough to be a real one."""
    return taxonomy is None or len(taxonomy.reference) <= MAX_TAXONOMY_CHARS


def check_values(
    *,
    identifier: str,
    taxonomy: Taxonomy,
    period_start: dt.date,
    period_end: dt.date,
    amount_due: Decimal | None,
) -> None:
    """Raise :class:`OutOfRangeError` with a sentence for the first value out of bounds."""
    if not fits_identifier(identifier):
        raise OutOfRangeError(
            f"The fiscal number in the message is {len(identifier):,} characters long; a real "
            f"one has at most {MAX_IDENTIFIER_CHARS}."
        )
    if not fits_taxonomy(taxonomy):
        raise OutOfRangeError(
            f"The message's taxonomy reference is {len(taxonomy.reference):,} characters long; "
            f"a real one has at most {MAX_TAXONOMY_CHARS}."
        )
    for day in (period_start, period_end):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise OutOfRangeError(
                f"The period {period_start} to {period_end} lies outside the years "
                f"{FIRST_YEAR}-{LAST_YEAR}."
            )
    if amount_due is not None and abs(amount_due) >= MAX_AMOUNT:
        raise OutOfRangeError(
            f"The amount due ({amount_due:.2E}) is a trillion euro or more; no return holds that."
        )
