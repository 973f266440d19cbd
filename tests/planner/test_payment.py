"""The betalingskenmerk (planner.payment), against the Belastingdienst's published examples and
cases whose check digit is worked out by hand below."""

from __future__ import annotations

import datetime as dt

import pytest

from planner.payment import grouped, payment_reference
from planner.periods import Period, four_week_periods

D = dt.date


def test_the_published_examples() -> None:
    # OB 001000019B01, first quarter of 2020.
    q1 = payment_reference("001000019B01", "quarter", Period(D(2020, 1, 1), D(2020, 3, 31)))
    assert q1 == "1001000011001210"
    assert grouped(q1) == "1001.0000.1100.1210"
    # LH 849613073L03, second half of 2019 (period code 32).
    half = payment_reference("849613073L03", "half_year", Period(D(2019, 7, 1), D(2019, 12, 31)))
    assert half == "4849613076903320"


def test_check_digit_ten_becomes_one() -> None:
    # OB 001000019B01, March 2026: body 001000011601030. From the right, digits
    # 0,3,0,1,0,6,1,1,0,0,0,0,1,0,0 times weights 2,4,8,5,10,9,7,3,6,1,2,4,8,5,10:
    # 0+12+0+5+0+54+7+3+0+0+0+0+8+0+0 = 89; 89 mod 11 = 1; 11 - 1 = 10 -> 1.
    march = Period(D(2026, 3, 1), D(2026, 3, 31))
    assert payment_reference("001000019B01", "month", march) == "1001000011601030"


def test_check_digit_eleven_becomes_zero() -> None:
    # OB 001000044B37, February 2026: body 001000041637020. From the right, digits
    # 0,2,0,7,3,6,1,4,0,0,0,0,1,0,0: 0+8+0+35+30+54+7+12+0+0+0+0+8+0+0 = 154;
    # 154 mod 11 = 0; 11 - 0 = 11 -> 0.
    february = Period(D(2026, 2, 1), D(2026, 2, 28))
    assert payment_reference("001000044B37", "month", february) == "0001000041637020"


def _code(number: str, kind: str, period: Period) -> str:
    # The period code is the 14th and 15th digit of the 16 (after the check digit, the 8
    # digits, the tax code, the year digit and the 2-digit subnumber).
    return payment_reference(number, kind, period)[13:15]


@pytest.mark.parametrize(
    ("number", "kind", "period", "code"),
    [
        ("001000044B37", "month", Period(D(2026, 1, 1), D(2026, 1, 31)), "01"),
        ("001000044B37", "month", Period(D(2026, 12, 1), D(2026, 12, 31)), "12"),
        ("001000044B37", "quarter", Period(D(2026, 1, 1), D(2026, 3, 31)), "21"),
        ("001000044B37", "quarter", Period(D(2026, 2, 1), D(2026, 4, 30)), "22"),
        ("001000044B37", "quarter", Period(D(2026, 10, 1), D(2026, 12, 31)), "30"),
        ("001000044B37", "year", Period(D(2026, 1, 1), D(2026, 12, 31)), "40"),
        ("111222333L01", "month", Period(D(2026, 6, 1), D(2026, 6, 30)), "06"),
        ("111222333L01", "year", Period(D(2026, 1, 1), D(2026, 12, 31)), "40"),
        ("111222333L01", "half_year", Period(D(2026, 1, 1), D(2026, 6, 30)), "31"),
    ],
)
def test_period_codes(number: str, kind: str, period: Period, code: str) -> None:
    assert _code(number, kind, period) == code


def test_four_week_period_codes_run_71_to_83() -> None:
    codes = [_code("111222333L01", "four_weeks", p) for p in four_week_periods(2026)]
    assert codes == ["71", "72", "73", "74", "75", "76", "77", "78", "79", "80", "81", "82", "83"]


def test_the_other_parts_of_the_reference() -> None:
    reference = payment_reference(
        "849613073L03", "four_weeks", Period(D(2026, 1, 26), D(2026, 2, 22))
    )
    # 8 digits of the number (the 9th dropped), 6 for loonheffingen, 6 for 2026, subnumber 03.
    assert reference[1:9] == "84961307"
    assert reference[9] == "6"
    assert reference[10] == "6"
    assert reference[11:13] == "03"
    assert reference[15] == "0"


def test_no_reference_without_an_ob_or_lh_number_or_a_known_period() -> None:
    with pytest.raises(ValueError, match="not a normalised"):
        payment_reference("111222333", "year", Period(D(2026, 1, 1), D(2026, 12, 31)))
    with pytest.raises(ValueError, match="no period code"):
        payment_reference("001000044B37", "four_weeks", Period(D(2026, 1, 1), D(2026, 1, 25)))


def test_the_account_changes_on_1_may_2026() -> None:
    from planner.payment import payment_account  # noqa: PLC0415

    assert payment_account(D(2026, 4, 30)) == "NL86 INGB 0002 4455 88"
    assert payment_account(D(2026, 5, 1)) == "NL04 RABO 0200 1122 44"
