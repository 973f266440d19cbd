"""The betalingskenmerk: the 16-digit payment reference of an OB or payroll-tax payment.

Built as the Belastingdienst specifies it for self-assessed taxes (aangiftebelastingen):

* a check digit, then 15 digits:
* the first 8 digits of the omzetbelastingnummer or loonheffingennummer (the 9th is dropped),
* the tax code: ``1`` omzetbelasting, ``6`` loonheffingen,
* the last digit of the year in which the period starts,
* the 2-digit subnumber after ``B`` or ``L``,
* the 2-digit period code, and ``0``.

Period codes: OB month ``01``-``12``, OB quarter its start month + 20 (Q1 ``21``, a
February-April quarter ``22``), OB year ``40``; LH month ``01``-``12``, LH four-week period n
``71``-``79`` for n <= 9 and ``80``-``83`` for n = 10..13, LH half-year ``31``/``32`` (the
published LH example for the second half of 2019 has ``32``; the first half as ``31`` follows
the same pattern and is to be confirmed), LH year ``40``.

The check digit: weights 2, 4, 8, 5, 10, 9, 7, 3, 6, 1 (repeating) from the rightmost of the 15
digits; C = 11 - (sum mod 11), where 10 becomes 1 and 11 becomes 0. Published examples: OB
``001000019B01``, Q1 2020 -> ``1001000011001210``; LH ``849613073L03``, second half of 2019 ->
``4849613076903320``. IB and VPB have none: they are paid on an assessment carrying its own.
"""

from __future__ import annotations

import datetime as dt
import re

from planner.periods import Period, four_week_periods

__all__ = [
    "ACCOUNTS",
    "PAID_PRODUCTS",
    "check_digit",
    "grouped",
    "payment_account",
    "payment_reference",
]

#: Products whose tax the client pays on its own return (and so has a kenmerk and a payment
#: deadline); IB and VPB are paid on an assessment that carries its own.
PAID_PRODUCTS = frozenset({"aangifte_ob", "loonaangifte"})

#: The Belastingdienst's account for these payments, by the day it is paid, as data: the first
#: is the long-standing one; the second is announced by secondary sources from 1 May 2026.
#: Both must be checked against the Belastingdienst before clients are shown them (README).
ACCOUNTS: tuple[tuple[dt.date, dt.date | None, str], ...] = (
    (dt.date(1900, 1, 1), dt.date(2026, 4, 30), "NL86 INGB 0002 4455 88"),
    (dt.date(2026, 5, 1), None, "NL04 RABO 0200 1122 44"),
)


def payment_account(on: dt.date) -> str:
    """The account to pay to on ``on`` (name: Belastingdienst)."""
    for first, last, account in ACCOUNTS:
        if first <= on and (last is None or on <= last):
            return account
    msg = f"no Belastingdienst account known for {on}"
    raise ValueError(msg)


_WEIGHTS = (2, 4, 8, 5, 10, 9, 7, 3, 6, 1)
_NUMBER = re.compile(r"^(\d{9})([BL])(\d{2})$")
_TAX_CODE = {"B": "1", "L": "6"}


def check_digit(digits: str) -> int:
    """The check digit of the 15 digits after it."""
    total = sum(
        int(digit) * _WEIGHTS[position % len(_WEIGHTS)]
        for position, digit in enumerate(reversed(digits))
    )
    check = 11 - total % 11
    return {10: 1, 11: 0}.get(check, check)


def period_code(letter: str, kind: str, period: Period) -> str:
    """The 2-digit period code of a period of ``kind`` for OB (``B``) or LH (``L``)."""
    if kind == "month":
        return f"{period.start.month:02d}"
    if kind == "year":
        return "40"
    if letter == "B" and kind == "quarter":
        return f"{period.start.month + 20:02d}"
    if letter == "L" and kind == "four_weeks":
        number = four_week_periods(period.start.year).index(period) + 1
        return str(70 + number)
    if letter == "L" and kind == "half_year":
        return "31" if period.start.month <= 6 else "32"
    msg = f"no period code for a {kind} period of {'OB' if letter == 'B' else 'LH'}"
    raise ValueError(msg)


def payment_reference(fiscal_number: str, kind: str, period: Period) -> str:
    """The betalingskenmerk for a normalised OB or LH number (``001000019B01``)."""
    match = _NUMBER.match(fiscal_number)
    if match is None:
        msg = f"{fiscal_number!r} is not a normalised OB or LH number"
        raise ValueError(msg)
    digits, letter, subnumber = match.groups()
    body = (
        digits[:8]
        + _TAX_CODE[letter]
        + str(period.start.year)[-1]
        + subnumber
        + period_code(letter, kind, period)
        + "0"
    )
    return f"{check_digit(body)}{body}"


def grouped(reference: str) -> str:
    """Shown as the Belastingdienst prints it: ``1001.0000.1100.1210``."""
    return ".".join(reference[i : i + 4] for i in range(0, len(reference), 4))
