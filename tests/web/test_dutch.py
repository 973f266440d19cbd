"""The page's words and formats, against examples written out by hand."""

from __future__ import annotations

import pytest

from api.dutch import euro, period_label, when


@pytest.mark.parametrize(
    ("start", "end", "kind", "label"),
    [
        ("2026-01-01", "2026-03-31", None, "Q1 2026"),
        ("2026-10-01", "2026-12-31", None, "Q4 2026"),
        ("2026-01-01", "2026-01-31", None, "jan 2026"),
        ("2025-01-01", "2025-12-31", None, "2025"),
        # Four-week periods by the lawful table (Uitv.reg. AWR 1994 art. 28): 2026 period 1 is
        # 1-25 January, period 3 is 23 February - 22 March.
        ("2026-01-01", "2026-01-25", None, "4-weken 1 2026"),
        ("2026-02-23", "2026-03-22", None, "4-weken 3 2026"),
        # February 2027 is a month and four-week period 2: the relation's product decides.
        ("2027-02-01", "2027-02-28", None, "feb 2027"),
        ("2027-02-01", "2027-02-28", "four_weeks", "4-weken 2 2027"),
        ("2025-07-01", "2026-06-30", None, "jul 2025 - jun 2026"),  # a book year
        ("2026-02-01", "2026-04-30", None, "feb - apr 2026"),  # a book-year quarter
        ("2026-01-01", "2026-12-31", "correction", "jan - dec 2026 (correctie)"),
        ("2026-01-01", "2026-06-30", None, "01-01-2026 t/m 30-06-2026"),
    ],
)
def test_periods_read_as_a_person_writes_them(
    start: str, end: str, kind: str | None, label: str
) -> None:
    assert period_label(start, end, kind) == label


def test_times_are_amsterdam_time_and_amounts_dutch() -> None:
    assert when("2026-11-23T19:14:00+00:00") == "23-11-2026 20:14"  # winter: UTC+1
    assert when("2026-07-01T12:00:00+00:00") == "01-07-2026 14:00"  # summer: UTC+2
    assert when("2026-07-01T12:00:00") == "01-07-2026 14:00"  # SQLite's naive UTC
    assert euro("3240.00") == "€ 3.240,00"
    assert euro("-12.5") == "€ -12,50"
