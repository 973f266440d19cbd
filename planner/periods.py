"""Periods and deadlines, as data plus small pure functions (the law: docs/domain.md).

Period kinds: ``month``, ``quarter``, ``year`` (anchored at the rule's first period, so a book
year or a book-year quarter may start in any month: Uitvoeringsregeling AWR 1994, art. 25(2))
and ``four_weeks`` for payroll tax, per Uitvoeringsregeling AWR 1994, art. 28(2)-(4): 13
periods a calendar year; the first four-week period starts on the Monday of ISO week 1 (the
Monday before the year's first Thursday); days of the calendar year before that join period 1
and days after period 13 up to 31 December join period 13 (so period 1 has 25-31 days, period
13 26-32, the others 28), while days of the neighbouring year belong to that year's first or
last period. The Belastingdienst publishes the resulting table yearly (for 2026: 01-01..01-25,
01-26..02-22, ..., 11-30..12-31).

Deadline rules are codes in the product catalogue (``models.catalogue``) mapped here to their
arithmetic; a changed Belastingdienst rule is a change to this table, not to the code using it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

__all__ = [
    "CORRECTION",
    "DEADLINE_RULES",
    "PERIOD_KINDS",
    "Period",
    "creation_day",
    "deadline",
    "first_schedule",
    "fits",
    "four_week_periods",
    "is_correction",
    "kind_of",
    "lawful_kind",
    "lawful_period_kind",
    "payment_deadline",
    "period_containing",
    "periods_from",
    "spans_whole_periods",
]

PERIOD_KINDS = ("month", "quarter", "year", "four_weeks")
# The kind of a suppletie's own workflow when it corrects more than one period (see
# is_correction): it has no statutory filing or payment deadline.
CORRECTION = "correction"
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


def four_week_periods(year: int) -> list[Period]:
    """The 13 lawful four-week periods of ``year`` (Uitv.reg. AWR 1994, art. 28(2)-(4))."""
    monday = dt.date.fromisocalendar(year, 1, 1)  # may lie in the year before
    starts = [dt.date(year, 1, 1)] + [monday + dt.timedelta(days=28 * k) for k in range(1, 13)]
    ends = [start - dt.timedelta(days=1) for start in starts[1:]] + [dt.date(year, 12, 31)]
    return [Period(start, end) for start, end in zip(starts, ends, strict=True)]


def period_containing(kind: str, day: dt.date, anchor: dt.date | None = None) -> Period:
    """The period of ``kind`` that contains ``day``; months/years are counted from ``anchor``
    (default: calendar periods)."""
    if kind == "four_weeks":
        return next(p for p in four_week_periods(day.year) if p.start <= day <= p.end)
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


def kind_of(period: Period, declared: str | None = None) -> str:
    """The kind of a period read from a return, for its deadline.

    ``declared`` is what the relation's product says it files (``four_weeks`` for a
    four-weekly payroll) and wins when the dates fit it: February 2027 is both a calendar month
    and the lawful four-week period 2. With nothing declared the dates decide, and a four-week
    period is recognised by the year's lawful table, never by its length (period 1 of 2026 has
    25 days, period 13 of 2026 has 32).
    """
    if declared is not None and fits(period, declared):
        return declared
    for kind in ("month", "four_weeks", "quarter", "year"):
        if fits(period, kind):
            return kind
    # An irregular period (a first, longer book year): by its length.
    return "quarter" if (period.end - period.start).days < 92 else "year"


def fits(period: Period, kind: str) -> bool:
    """Whether ``period`` is a period of ``kind`` (months and quarters from any first month)."""
    if kind == "four_weeks":
        return period in four_week_periods(period.start.year)
    if kind not in _MONTHS:
        return False
    return period.start.day == 1 and period.end == (
        add_months(period.start, _MONTHS[kind]) - dt.timedelta(days=1)
    )


def is_correction(period: Period, declared: str | None) -> bool:
    """Whether a suppletie over ``period`` corrects more than one of the relation's periods.

    A suppletie for exactly one period (the relation's declared kind, or with nothing declared
    any lawful month, quarter or year) is the next version of that period's workflow. One that
    spans several (a year of quarters is allowed) is a correction in its own workflow with no
    statutory deadline: the term is eight weeks after the error was found (AWR art. 10a with
    Uitvoeringsbesluit OB 1968 art. 15, since 2025), a day the inbox cannot know.
    """
    return lawful_kind(period, PERIOD_KINDS if declared is None else (declared,)) is None


def lawful_kind(period: Period, kinds: Iterable[str]) -> str | None:
    """The first of ``kinds`` of which ``period`` is a lawful period, or None."""
    return next((kind for kind in kinds if fits(period, kind)), None)


def lawful_period_kind(
    period: Period, allowed: Iterable[str], declared: str | None = None, *, book_year: bool = False
) -> str | None:
    """The kind of which ``period`` is a lawful period of a product that allows the kinds
    ``allowed`` (only ``declared`` when the relation says what it files), or None.

    The one check for every workflow made for a period someone gave: staff's ``workflows
    create`` and a return the inbox places. ``book_year``: the period is a company's book year
    as its VPB return states it, which may be irregular (a first book year from the founding
    day, a last one up to the dissolution): the year of the corporate tax is the book year
    (Wet Vpb 1969, art. 7(4)), whatever its length, so any such period is a ``year``.
    """
    kinds = list(allowed) if declared is None else [declared]
    if book_year and "year" in kinds and lawful_kind(period, kinds) is None:
        return "year"
    return lawful_kind(period, kinds)


def spans_whole_periods(period: Period, kinds: Iterable[str]) -> bool:
    """Whether ``period`` runs from the first day of a period of one of ``kinds`` to the last
    day of one of the same kind (counted from its start): what a suppletie over several
    periods covers (see :func:`is_correction`); part of a period is no such span."""
    return any(
        kind in PERIOD_KINDS
        and period_containing(kind, period.start, anchor=period.start).start == period.start
        and period_containing(kind, period.end, anchor=period.start).end == period.end
        for kind in kinds
    )


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
    # VPB: within five months after the end of the book year, i.e. by the last day of the
    # fifth month after it: 31 May for a calendar year, 30 November for a book year ending
    # 30 June, 31 July for one ending 28 February.
    "five_months_after_end": lambda _kind, p: _end_of_month(add_months(p.end.replace(day=1), 5)),
}


def deadline(rule: str, kind: str, period: Period) -> dt.date:
    """The filing deadline of ``period`` under the product's deadline ``rule``."""
    return DEADLINE_RULES[rule](kind, period)


def payment_deadline(period: Period) -> dt.date:
    """When OB or payroll tax for ``period`` must be paid: within one month after the end of
    the period (AWR art. 19(1)), i.e. by the same day a month later (the month's last day when
    it is shorter). Not moved for weekends or holidays (AWR art. 19(5))."""
    return add_months(period.end, 1)


def first_schedule(period: str, first_start: dt.date, lead_days: int) -> dict[str, dt.date]:
    """A new planner rule's next period start and creation day: its first period, minus the
    lead time (``create_days_before_start``)."""
    start = period_containing(period, first_start, anchor=first_start).start
    return {
        "next_period_start": start,
        "next_creation_on": creation_day(start, lead_days),
    }


def creation_day(period_start: dt.date, lead_days: int) -> dt.date:
    """The day a planner rule makes the workflow of the period starting ``period_start``."""
    return period_start - dt.timedelta(days=lead_days)
