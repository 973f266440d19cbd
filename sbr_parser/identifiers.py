"""Normalise and check fiscal identifiers: OB-nummer, BSN/RSIN, loonheffingennummer.

One implementation for everyone: the parser normalises what a message carries, the CRM normalises
what staff enter, and matching compares the two, so both sides must go through the same function.

Normal form (docs/domain.md): spaces, dots and dashes removed, upper case, a leading ``NL``
dropped from VAT numbers, the nine digits of a BSN/RSIN zero-padded. The check rules come from
python-stdnum (``nl.bsn``: the eleven-test; ``nl.btw``: the VAT number's own checks, which accept
both the RSIN-based omzetbelastingnummer and the mod-97 btw-id). stdnum has no module for the
loonheffingennummer: it is an RSIN/BSN plus ``L`` and a two-digit subnumber, so we check the nine
digits with ``nl.bsn`` and the rest by shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from stdnum.nl import bsn, btw
from stdnum.util import clean

from sbr_parser.types import IdentifierType

__all__ = [
    "CheckedIdentifier",
    "check_identifier",
    "is_btw_id",
    "normalise_identifier",
    "passes_eleven_test",
]

_SEPARATORS = " -."
_DROP_SEPARATORS = str.maketrans("", "", _SEPARATORS)
_OB_SHAPE = re.compile(r"^(\d{1,9})B(\d{2})$")
_LH_SHAPE = re.compile(r"^(\d{1,9})L(\d{2})$")
_DIGITS = re.compile(r"^\d{1,9}$")


@dataclass(frozen=True, slots=True)
class CheckedIdentifier:
    """An identifier as found, its normal form and whether it passes its check."""

    found: str
    normalised: str
    valid: bool


def normalise_identifier(identifier_type: IdentifierType, value: str) -> str:
    """Return the normal form of ``value`` as a fiscal number of ``identifier_type``.

    >>> normalise_identifier(IdentifierType.OB, "NL 0010.00044.b37")
    '001000044B37'
    >>> normalise_identifier(IdentifierType.BSN_RSIN, "12345678")
    '012345678'
    """
    # stdnum's clean() also folds Unicode look-alikes (a no-break space, full-width digits) and
    # costs ~10 µs; plain ASCII, nearly every value, only needs the separators removed.
    if value.isascii():
        compact = value.translate(_DROP_SEPARATORS).strip().upper()
    else:
        compact = clean(value, _SEPARATORS).strip().upper()
    if identifier_type is IdentifierType.OB:
        compact = compact.removeprefix("NL")
        return _pad_digits(_OB_SHAPE, compact, "B")
    if identifier_type is IdentifierType.LH:
        return _pad_digits(_LH_SHAPE, compact, "L")
    if _DIGITS.match(compact):
        return compact.zfill(9)
    return compact


def check_identifier(identifier_type: IdentifierType, value: str) -> CheckedIdentifier:
    """Normalise ``value`` and check it by the rules of its type; never raises.

    Cached for values of real length only (the parser refuses longer ones before calling this),
    so the cache holds at most ``_CACHE_ENTRIES`` keys of at most ``_CACHED_CHARS`` characters:
    a few MB whatever arrives. An office's clients send the same numbers every period, and the
    stdnum checks cost more than the rest of reading a small return.
    """
    if len(value) > _CACHED_CHARS:
        return _check(identifier_type, value)
    return _cached_check(identifier_type, value)


_CACHED_CHARS = 32
_CACHE_ENTRIES = 16_384


def _check(identifier_type: IdentifierType, value: str) -> CheckedIdentifier:
    normalised = normalise_identifier(identifier_type, value)
    if identifier_type is IdentifierType.OB:
        # What returns carry: the omzetbelastingnummer, the BSN or RSIN + B + 01..99. Its nine
        # digits pass the eleven-test; the btw-identificatienummer (mod 97) is not it.
        valid = bool(_OB_SHAPE.match(normalised)) and _subnumber_and_eleven_test(normalised)
    elif identifier_type is IdentifierType.LH:
        valid = bool(_LH_SHAPE.match(normalised)) and _subnumber_and_eleven_test(normalised)
    else:
        valid = passes_eleven_test(normalised)
    return CheckedIdentifier(found=value, normalised=normalised, valid=valid)


def passes_eleven_test(nine: str) -> bool:
    """Whether ``nine`` is a BSN/RSIN: exactly ``stdnum.nl.bsn.is_valid``, faster on normal forms.

    The rule is the eleven-test (elfproef) that every BSN and RSIN passes (docs/domain.md):
    9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is a multiple of 11, and the number is not all zeros.
    stdnum's ``is_valid`` first cleans the value of separators and look-alike characters
    (``clean()``, about 7 µs), which a normal form no longer has; for nine ASCII digits we ask
    stdnum's own ``checksum`` directly. Anything else goes through ``is_valid`` itself.
    """
    if len(nine) == 9 and nine.isascii() and nine.isdigit():
        return nine != "000000000" and bsn.checksum(nine) == 0
    return bsn.is_valid(nine)


def _subnumber_and_eleven_test(normalised: str) -> bool:
    # Subnumber 00 does not exist (B01-B99, L01-L99).
    return normalised[10:] != "00" and passes_eleven_test(normalised[:9])


def is_btw_id(value: str) -> bool:
    """Whether ``value`` is a btw-identificatienummer that is *not* an omzetbelastingnummer.

    Since 2020 a sole trader has two VAT numbers: the omzetbelastingnummer (BSN + ``B`` + 2
    digits) that every OB, suppletie and ICP return carries, and the btw-id (``NL`` + 9 digits
    unrelated to the BSN + ``B`` + 2, checked mod 97) printed on invoices. python-stdnum's
    ``nl.btw`` accepts both; returns never carry the second, so a client record holding it
    never matches (the CRM accepts it, with a warning).
    """
    normalised = normalise_identifier(IdentifierType.OB, value)
    return (
        bool(_OB_SHAPE.match(normalised))
        and normalised[10:] != "00"
        and not passes_eleven_test(normalised[:9])
        and btw.is_valid(normalised)
    )


_cached_check = lru_cache(maxsize=_CACHE_ENTRIES)(_check)


def _pad_digits(shape: re.Pattern[str], compact: str, letter: str) -> str:
    # Zero-pad only a number of the right shape: padding "ABC" would invent digits.
    match = shape.match(compact)
    if match is None:
        return compact
    return f"{match.group(1).zfill(9)}{letter}{match.group(2)}"
