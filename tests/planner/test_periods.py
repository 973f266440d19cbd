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
    kind_of,
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


@pytest.mark.parametrize(("year", "last_days"), [(2024, 30), (2025, 29), (2026, 29)])
def test_thirteen_four_week_periods_per_year(year: int, last_days: int) -> None:
    periods = take("four_weeks", D(year, 1, 1), 14)
    this_year = [p for p in periods if p.start.year == year]
    assert len(this_year) == 13
    assert this_year[0].start == D(year, 1, 1)
    assert all((p.end - p.start).days + 1 == 28 for p in this_year[:12])
    assert this_year[-1].end == D(year, 12, 31)
    assert (this_year[-1].end - this_year[-1].start).days + 1 == last_days
    assert periods[13].start == D(year + 1, 1, 1)


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
    assert {kind_of(p) for p in calendar} == {kind}


# The table of docs/domain.md, per product.
DEADLINES = [
    ("aangifte_ob", "month", Period(D(2026, 1, 1), D(2026, 1, 31)), D(2026, 2, 28)),
    ("aangifte_ob", "month", Period(D(2024, 1, 1), D(2024, 1, 31)), D(2024, 2, 29)),
    ("aangifte_ob", "quarter", Period(D(2026, 1, 1), D(2026, 3, 31)), D(2026, 4, 30)),
    ("aangifte_ob", "quarter", Period(D(2026, 10, 1), D(2026, 12, 31)), D(2027, 1, 31)),
    ("aangifte_ob", "year", Period(D(2026, 1, 1), D(2026, 12, 31)), D(2027, 3, 31)),
    ("opgaaf_icp", "quarter", Period(D(2026, 4, 1), D(2026, 6, 30)), D(2026, 7, 31)),
    ("loonaangifte", "month", Period(D(2026, 12, 1), D(2026, 12, 31)), D(2027, 1, 31)),
    ("loonaangifte", "four_weeks", Period(D(2026, 1, 29), D(2026, 2, 25)), D(2026, 3, 25)),
    ("aangifte_ib", "year", Period(D(2025, 1, 1), D(2025, 12, 31)), D(2026, 5, 1)),
    ("aangifte_vpb", "year", Period(D(2025, 1, 1), D(2025, 12, 31)), D(2026, 6, 1)),
    ("aangifte_vpb", "year", Period(D(2024, 7, 1), D(2025, 6, 30)), D(2025, 12, 1)),
]


@pytest.mark.parametrize(("product", "kind", "period", "due"), DEADLINES)
def test_deadlines_per_product(product: str, kind: str, period: Period, due: dt.date) -> None:
    rule = next(spec.deadline_rule for spec in CATALOGUE if spec.code == product)
    assert deadline(rule, kind, period) == due


def test_every_catalogue_rule_has_arithmetic() -> None:
    assert {spec.deadline_rule for spec in CATALOGUE} <= set(DEADLINE_RULES)
