"""Period arithmetic and deadlines: leap years, quarters, four-week periods, year boundaries."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.catalogue import CATALOGUE
from planner.periods import (
    DEADLINE_RULES,
    Period,
    add_months,
    deadline,
    four_week_periods,
    is_correction,
    kind_of,
    payment_deadline,
    period_containing,
    periods_from,
)

D = dt.date


def take(kind: str, start: dt.date, count: int) -> list[Period]:
    return list(itertools.islice(periods_from(kind, start), count))


def test_quarters_and_the_year_boundary() -> None:
    assert take("quarter", D(2026, 10, 1), 2) == [
        Period(D(2026, 10, 1), D(2026, 12, 31)),
        Period(D(2027, 1, 1), D(2027, 3, 31)),
    ]
    assert take("month", D(2025, 12, 1), 3)[1:] == [
        Period(D(2026, 1, 1), D(2026, 1, 31)),
        Period(D(2026, 2, 1), D(2026, 2, 28)),
    ]


def test_leap_years() -> None:
    assert period_containing("month", D(2024, 2, 10)) == Period(D(2024, 2, 1), D(2024, 2, 29))
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert period_containing("quarter", D(2024, 2, 29)) == Period(D(2024, 1, 1), D(2024, 3, 31))


def _table(year: int, rows: str) -> list[Period]:
    """Periods written as ``MM-DD..MM-DD`` per line (all in ``year``)."""
    periods = []
    for line in rows.split():
        start, end = line.split("..")
        periods.append(
            Period(D(year, *map(int, start.split("-"))), D(year, *map(int, end.split("-"))))
        )
    return periods


# Written out by hand from Uitv.reg. AWR 1994 art. 28(2)-(4): ISO week 1 of 2026 starts on
# Monday 29 December 2025, so period 1 runs 1-25 January (25 days) and period 13 from
# 30 November to 31 December (32 days); the Belastingdienst's published 2026 table begins
# 01-01..01-25, 01-26..02-22 and ends 11-30..12-31.
FOUR_WEEKS_2026 = _table(
    2026,
    """01-01..01-25 01-26..02-22 02-23..03-22 03-23..04-19 04-20..05-17 05-18..06-14
    06-15..07-12 07-13..08-09 08-10..09-06 09-07..10-04 10-05..11-01 11-02..11-29
    11-30..12-31""",
)
# ISO week 1 of 2027 starts on Monday 4 January: 1-3 January join period 1 (31 days), and
# period 13 runs from 6 to 31 December (26 days).
FOUR_WEEKS_2027 = _table(
    2027,
    """01-01..01-31 02-01..02-28 03-01..03-28 03-29..04-25 04-26..05-23 05-24..06-20
    06-21..07-18 07-19..08-15 08-16..09-12 09-13..10-10 10-11..11-07 11-08..12-05
    12-06..12-31""",
)


def test_the_lawful_four_week_periods_of_2026_and_2027() -> None:
    assert four_week_periods(2026) == FOUR_WEEKS_2026
    assert four_week_periods(2027) == FOUR_WEEKS_2027
    assert take("four_weeks", D(2026, 1, 1), 26) == FOUR_WEEKS_2026 + FOUR_WEEKS_2027


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027, 2028, 2029, 2030])
def test_four_week_periods_follow_article_28_from_2024_to_2030(year: int) -> None:
    periods = four_week_periods(year)
    monday = D.fromisocalendar(year, 1, 1)
    assert monday.weekday() == 0
    assert len(periods) == 13
    assert periods[0].start == D(year, 1, 1)
    assert periods[1].start == monday + dt.timedelta(days=28)
    assert all((p.end - p.start).days + 1 == 28 for p in periods[1:12])
    assert 25 <= (periods[0].end - periods[0].start).days + 1 <= 31
    assert 26 <= (periods[12].end - periods[12].start).days + 1 <= 32
    assert periods[12].end == D(year, 12, 31)


def test_a_book_year_is_anchored_at_its_first_period() -> None:
    assert take("year", D(2024, 7, 1), 2) == [
        Period(D(2024, 7, 1), D(2025, 6, 30)),
        Period(D(2025, 7, 1), D(2026, 6, 30)),
    ]


@given(
    kind=st.sampled_from(["month", "quarter", "year", "four_weeks"]),
    start=st.dates(D(2000, 1, 1), D(2090, 1, 1)),
)
def test_periods_are_contiguous_and_kind_of_reads_them_back(kind: str, start: dt.date) -> None:
    periods = take(kind, start, 14)
    for before, after in itertools.pairwise(periods):
        assert after.start == before.end + dt.timedelta(days=1)
    assert periods[0].start <= start <= periods[0].end
    calendar = take(kind, period_containing(kind, start).start, 3)
    # Read back as what the relation files (a lawful four-week period may also be a month).
    assert {kind_of(p, kind) for p in calendar} == {kind}


@given(kind=st.sampled_from(["month", "quarter", "four_weeks"]), year=st.integers(1990, 2150))
def test_each_kind_tiles_the_calendar_year(kind: str, year: int) -> None:
    periods = list(
        itertools.takewhile(lambda p: p.start.year == year, periods_from(kind, D(year, 1, 1)))
    )
    assert periods[0].start == D(year, 1, 1)
    assert periods[-1].end == D(year, 12, 31)
    for before, after in itertools.pairwise(periods):
        assert after.start == before.end + dt.timedelta(days=1)
    assert len(periods) == {"month": 12, "quarter": 4, "four_weeks": 13}[kind]


def test_the_kind_of_a_return_period() -> None:
    # Period 1 of 2026 is 25 days: a four-week period by the lawful table, not a quarter.
    assert kind_of(FOUR_WEEKS_2026[0]) == "four_weeks"
    assert kind_of(FOUR_WEEKS_2026[12]) == "four_weeks"  # 32 days
    # February 2027 is a month and four-week period 2: the relation's product decides.
    assert kind_of(FOUR_WEEKS_2027[1]) == "month"
    assert kind_of(FOUR_WEEKS_2027[1], "four_weeks") == "four_weeks"
    # Book-year quarters and years.
    assert kind_of(Period(D(2026, 2, 1), D(2026, 4, 30))) == "quarter"
    assert kind_of(Period(D(2025, 7, 1), D(2026, 6, 30))) == "year"
    # A declared kind the dates do not fit is not believed.
    assert kind_of(Period(D(2026, 1, 1), D(2026, 3, 31)), "month") == "quarter"


def test_a_suppletie_corrects_one_period_or_several() -> None:
    year, q1 = Period(D(2026, 1, 1), D(2026, 12, 31)), Period(D(2026, 1, 1), D(2026, 3, 31))
    half = Period(D(2026, 1, 1), D(2026, 6, 30))
    # One of the relation's periods: not a correction of its own.
    assert not is_correction(q1, "quarter")
    assert not is_correction(year, "year")
    assert not is_correction(q1, None)
    # Several of them (a year of quarters, two quarters): a correction.
    assert is_correction(year, "quarter")
    assert is_correction(q1, "month")
    assert is_correction(half, None)
    assert is_correction(half, "quarter")


def test_book_year_quarters() -> None:
    assert take("quarter", D(2026, 2, 1), 4) == [
        Period(D(2026, 2, 1), D(2026, 4, 30)),
        Period(D(2026, 5, 1), D(2026, 7, 31)),
        Period(D(2026, 8, 1), D(2026, 10, 31)),
        Period(D(2026, 11, 1), D(2027, 1, 31)),
    ]


# The table of docs/domain.md, per product.
DEADLINES = [
    ("aangifte_ob", "month", Period(D(2026, 1, 1), D(2026, 1, 31)), D(2026, 2, 28)),
    ("aangifte_ob", "month", Period(D(2024, 1, 1), D(2024, 1, 31)), D(2024, 2, 29)),
    ("aangifte_ob", "quarter", Period(D(2026, 1, 1), D(2026, 3, 31)), D(2026, 4, 30)),
    ("aangifte_ob", "quarter", Period(D(2026, 10, 1), D(2026, 12, 31)), D(2027, 1, 31)),
    ("aangifte_ob", "year", Period(D(2026, 1, 1), D(2026, 12, 31)), D(2027, 3, 31)),
    ("opgaaf_icp", "quarter", Period(D(2026, 4, 1), D(2026, 6, 30)), D(2026, 7, 31)),
    ("loonaangifte", "month", Period(D(2026, 12, 1), D(2026, 12, 31)), D(2027, 1, 31)),
    # Four-week period 2 of 2026: one month after its end.
    ("loonaangifte", "four_weeks", Period(D(2026, 1, 26), D(2026, 2, 22)), D(2026, 3, 22)),
    ("loonaangifte", "four_weeks", Period(D(2026, 11, 30), D(2026, 12, 31)), D(2027, 1, 31)),
    ("aangifte_ib", "year", Period(D(2025, 1, 1), D(2025, 12, 31)), D(2026, 5, 1)),
    # VPB: within five months after the book year ends ("voor 1 juni" is 31 May).
    ("aangifte_vpb", "year", Period(D(2025, 1, 1), D(2025, 12, 31)), D(2026, 5, 31)),
    ("aangifte_vpb", "year", Period(D(2024, 7, 1), D(2025, 6, 30)), D(2025, 11, 30)),
    ("aangifte_vpb", "year", Period(D(2022, 3, 1), D(2023, 2, 28)), D(2023, 7, 31)),
    ("aangifte_vpb", "year", Period(D(2023, 3, 1), D(2024, 2, 29)), D(2024, 7, 31)),
]


@pytest.mark.parametrize(("product", "kind", "period", "due"), DEADLINES)
def test_deadlines_per_product(product: str, kind: str, period: Period, due: dt.date) -> None:
    rule = next(spec.deadline_rule for spec in CATALOGUE if spec.code == product)
    assert deadline(rule, kind, period) == due


@pytest.mark.parametrize(
    ("period", "due"),
    [
        (Period(D(2026, 1, 1), D(2026, 3, 31)), D(2026, 4, 30)),  # Q1: by 30 April
        (Period(D(2026, 1, 1), D(2026, 1, 31)), D(2026, 2, 28)),  # January: 28 February
        (Period(D(2024, 1, 1), D(2024, 1, 31)), D(2024, 2, 29)),  # leap year
        (Period(D(2026, 1, 26), D(2026, 2, 22)), D(2026, 3, 22)),  # four-week period 2
        # 22 March 2026 is a Sunday and stays the deadline: AWR art. 19(5).
    ],
)
def test_payment_is_due_one_month_after_the_period(period: Period, due: dt.date) -> None:
    assert payment_deadline(period) == due


def test_every_catalogue_rule_has_arithmetic() -> None:
    assert {spec.deadline_rule for spec in CATALOGUE} <= set(DEADLINE_RULES)
