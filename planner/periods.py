"""Periods and deadlines, as data plus small pure functions.

Period kinds: ``month``, ``quarter``, ``year`` (anchored at the rule's first period, so a book
year may start in July) and ``four_weeks``: 13 periods a year, the first from 1 January, each
28 days, the 13th running to 31 December (29 or 30 days). Deadline rules are codes in the
product catalogue (``models.catalogue``) mapped here to their arithmetic; a changed
Belastingdienst rule is a change to this table, not to the code that uses it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterator
from typing import NamedTuple

__all__ = [
    "DEADLINE_RULES",
    "PERIOD_KINDS",
    "Period",
    "deadline",
    "first_schedule",
    "kind_of",
    "period_containing",
    "periods_from",
]

PERIOD_KINDS = ("month", "quarter", "year", "four_weeks")
_MONTHS = {"month": 1, "quarter": 3, "year": 12}


class Period(NamedTuple):
    """A period: first and last day (inclusive)."""

    start: dt.date
    end: dt.date


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved ``months`` on, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _end_of_month(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _four_week_periods(year: int) -> list[Period]:
    first = dt.date(year, 1, 1)
    starts = [first + dt.timedelta(days=28 * k) for k in range(13)]
    ends = [start + dt.timedelta(days=27) for start in starts[:12]] + [dt.date(year, 12, 31)]
    return [Period(start, end) for start, end in zip(starts, ends, strict=True)]


def period_containing(kind: str, day: dt.date, anchor: dt.date | None = None) -> Period:
    """The period of ``kind`` that contains ``day``; months/years are counted from ``anchor``
    (default: calendar periods)."""
    if kind == "four_weeks":
        return next(p for p in _four_week_periods(day.year) if p.start <= day <= p.end)
    length = _MONTHS[kind]
    anchor_month = (anchor.month - 1) % length if anchor is not None else 0
    offset = (day.month - 1 - anchor_month) % length
    start = add_months(day.replace(day=1), -offset)
    return Period(start, add_months(start, length) - dt.timedelta(days=1))


def periods_from(kind: str, first_start: dt.date) -> Iterator[Period]:
    """The periods of ``kind`` from the one starting on (or containing) ``first_start`` on."""
    period = period_containing(kind, first_start, anchor=first_start)
    while True:
        yield period
        period = period_containing(kind, period.end + dt.timedelta(days=1), anchor=first_start)


def kind_of(period: Period) -> str:
    """The kind of a period read from a return (its dates), for its deadline."""
    days = (period.end - period.start).days + 1
    if days <= 31 and period.start.day == 1 and period.end == _end_of_month(period.start):
        return "month"
    if 28 <= days <= 31:
        return "four_weeks"
    return "quarter" if days <= 92 else "year"


# Deadline rule code -> (period kind, period) -> deadline, as docs/domain.md states them
# (not yet checked against the Belastingdienst's own publication; change them here).
DEADLINE_RULES: dict[str, Callable[[str, Period], dt.date]] = {
    # OB: end of the month after the period; a yearly return: 31 March of the next year.
    "end_of_next_month_or_march_31": lambda kind, p: (
        dt.date(p.end.year + 1, 3, 31)
        if kind == "year"
        else _end_of_month(add_months(p.end.replace(day=1), 1))
    ),
    # ICP and LH: end of the month after the period; a four-week LH period: one month after
    # its end.
    "end_of_next_month": lambda kind, p: (
        add_months(p.end, 1)
        if kind == "four_weeks"
        else _end_of_month(add_months(p.end.replace(day=1), 1))
    ),
    # IB: 1 May of the next year.
    "may_1_next_year": lambda _kind, p: dt.date(p.end.year + 1, 5, 1),
    # VPB: five months after the end of the book year (1 June for a calendar year).
    "five_months_after_end": lambda _kind, p: add_months(p.end + dt.timedelta(days=1), 5),
}


def deadline(rule: str, kind: str, period: Period) -> dt.date:
    """The deadline of ``period`` under the product's deadline ``rule``."""
    return DEADLINE_RULES[rule](kind, period)


def first_schedule(period: str, first_start: dt.date, lead_days: int) -> dict[str, dt.date]:
    """A new planner rule's next period start and creation day: its first period, minus the
    lead time (``create_days_before_start``)."""
    start = period_containing(period, first_start, anchor=first_start).start
    return {
        "next_period_start": start,
        "next_creation_on": start - dt.timedelta(days=lead_days),
    }
