"""Identifier normalisation and checks (python-stdnum underneath), one function for all callers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.nl import bsn

from sbr_parser import IdentifierType, check_identifier, is_btw_id, normalise_identifier
from sbr_parser.identifiers import passes_eleven_test

OB, BSN, LH = IdentifierType.OB, IdentifierType.BSN_RSIN, IdentifierType.LH


@pytest.mark.parametrize(
    ("kind", "found", "normalised", "valid"),
    [
        (OB, "001000044B37", "001000044B37", True),
        (OB, "NL001000044B37", "001000044B37", True),
        (OB, "nl 0010.00044-b37", "001000044B37", True),
        (OB, "1000044B37", "001000044B37", True),  # zero-padded like a BSN
        (OB, "001000045B37", "001000045B37", False),  # typo: fails the eleven-test
        (OB, "001000044B00", "001000044B00", False),  # subnumber 00 does not exist
        (OB, "001000044L01", "001000044L01", False),  # an LH number is not an OB number
        (OB, "987654321B09", "987654321B09", False),  # Odoo's placeholder fails both checks
        (BSN, "000000012", "000000012", True),
        (BSN, "12345678", "012345678", False),  # masked VB-03 value: padded, fails the test
        (BSN, "111.222.333", "111222333", True),
        (BSN, "111222334", "111222334", False),
        (BSN, "ABC", "ABC", False),  # never padded into digits
        (LH, "111222333L01", "111222333L01", True),
        (LH, "111222333l01", "111222333L01", True),
        (LH, "111222334L01", "111222334L01", False),
        (LH, "111222333B01", "111222333B01", False),
        (LH, "1224153L05", "001224153L05", True),
    ],
)
def test_normalise_and_check(
    kind: IdentifierType, found: str, normalised: str, valid: bool
) -> None:
    checked = check_identifier(kind, found)
    assert checked.found == found
    assert checked.normalised == normalised
    assert checked.valid is valid


@given(st.sampled_from(list(IdentifierType)), st.text(max_size=40))
def test_normalising_is_idempotent_and_never_raises(kind: IdentifierType, value: str) -> None:
    once = normalise_identifier(kind, value)
    assert normalise_identifier(kind, once) == once
    check_identifier(kind, value)


@given(st.integers(min_value=1, max_value=999_999_999), st.integers(min_value=0, max_value=99))
def test_ob_number_is_valid_exactly_when_its_nine_digits_are(number: int, sub: int) -> None:
    # In a return both are the BSN/RSIN plus a subnumber 01-99; 00 does not exist.
    digits = f"{number:09d}"
    valid = check_identifier(BSN, digits).valid and sub != 0
    assert check_identifier(LH, f"{digits}L{sub:02d}").valid is valid
    assert check_identifier(OB, f"NL{digits}B{sub:02d}").valid is valid


def test_a_btw_id_is_not_what_a_return_carries() -> None:
    # NL000099998B57: a valid btw-identificatienummer (mod 97); 000099998 fails the eleven-test
    # (0*9+0*8+0*7+0*6+9*5+9*4+9*3+9*2-8*1 = 45+36+27+18-8 = 118, not a multiple of 11).
    assert not check_identifier(OB, "NL000099998B57").valid
    assert is_btw_id("NL000099998B57")
    assert not is_btw_id("NL001000044B37")  # an omzetbelastingnummer
    assert not check_identifier(OB, "001000044B00").valid
    assert not check_identifier(LH, "001000044L00").valid


@given(
    st.one_of(
        st.integers(min_value=0, max_value=999_999_999).map(lambda n: f"{n:09d}"),
        st.text(alphabet="0123456789٣ .-", max_size=11),
    )
)
def test_the_eleven_test_is_stdnums_own(value: str) -> None:
    # The fast path must say what stdnum says, for normal forms and for anything else.
    assert passes_eleven_test(value) is bsn.is_valid(value)


@pytest.mark.parametrize(
    ("nine", "valid"),
    [
        # 9*1 + 8*1 + 7*1 + 6*2 + 5*2 + 4*2 + 3*3 + 2*3 - 1*3 = 9+8+7+12+10+8+9+6-3 = 66 = 6*11
        ("111222333", True),
        # ... - 1*4 = 65, not a multiple of 11
        ("111222334", False),
        # 2*1 - 1*2 = 0: a multiple of 11
        ("000000012", True),
        # all zeros: 0 is a multiple of 11, yet no number
        ("000000000", False),
        # 9*2 + 8*4 + 7*9 + 6*5 + 5*6 + 4*6 + 3*7 + 2*5 - 1*8 = 220 = 20*11
        ("249566758", True),
    ],
)
def test_the_eleven_test_by_hand(nine: str, valid: bool) -> None:
    assert passes_eleven_test(nine) is valid
