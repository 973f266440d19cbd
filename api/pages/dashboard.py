"""The dashboard: received, placed, waiting and refused per day, and the waiting queue by age,
as numbers with a small bar chart (SVG, no script)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.dutch import AMSTERDAM
from api.pages.common import SignedInDep, engine_of, page
from models import InboxReturn, Office, ReturnStatus, session_scope

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

# Series of the daily table and chart: (status, Dutch label, colour).
SERIES = (
    ("received", "ontvangen", "#8da0cb"),
    ("matched", "geplaatst", "#3b8a1e"),
    ("unmatched", "wacht", "#c98a00"),
    ("rejected", "geweigerd", "#c4420b"),
)
# Age buckets of the waiting queue: (label, at most this many days old).
AGES = (("vandaag", 1), ("1-7 dagen", 7), ("8-30 dagen", 30), ("ouder dan 30 dagen", None))


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, staff: SignedInDep) -> Response:
    """The last 14 days in numbers, and how old what waits is."""
    with session_scope(engine_of(request)) as session:
        office = staff.office(session)
        days = per_day(session, office, 14)
        ages = waiting_by_age(session, office)
    return page(
        request,
        "dashboard.html",
        {"days": days, "chart": chart(days), "series": SERIES, "ages": ages},
        staff=staff,
        office=office,
    )


def per_day(session: Session, office: Office, days: int) -> list[dict[str, Any]]:
    """Per day of arrival (Amsterdam), the returns received and where they are now."""
    today = dt.datetime.now(AMSTERDAM).date()
    since = today - dt.timedelta(days=days - 1)
    counts: Counter[tuple[dt.date, str]] = Counter()
    start = dt.datetime.combine(since, dt.time(), AMSTERDAM).astimezone(dt.UTC)
    for received_at, state in session.execute(
        select(InboxReturn.received_at, InboxReturn.status).where(
            InboxReturn.office_id == office.id, InboxReturn.received_at >= start
        )
    ):
        moment = received_at if received_at.tzinfo else received_at.replace(tzinfo=dt.UTC)
        day = moment.astimezone(AMSTERDAM).date()
        counts[(day, "received")] += 1
        counts[(day, state.value)] += 1
    return [
        {"day": since + dt.timedelta(days=i)}
        | {code: counts[(since + dt.timedelta(days=i), code)] for code, _, _ in SERIES}
        for i in range(days)
    ]


def waiting_by_age(session: Session, office: Office) -> list[tuple[str, int]]:
    """How many unmatched returns are how old."""
    now = dt.datetime.now(dt.UTC)
    counts = Counter[str]()
    for (received_at,) in session.execute(
        select(InboxReturn.received_at).where(
            InboxReturn.office_id == office.id, InboxReturn.status == ReturnStatus.UNMATCHED
        )
    ):
        moment = received_at if received_at.tzinfo else received_at.replace(tzinfo=dt.UTC)
        age = (now - moment).days
        label = next(name for name, most in AGES if most is None or age < most)
        counts[label] += 1
    return [(name, counts[name]) for name, _ in AGES]


def chart(days: list[dict[str, Any]]) -> dict[str, Any]:
    """Grouped bars per day, with each bar's number above it."""
    height, slot, bar = 140, 56, 13
    peak = max([1, *(d[code] for d in days for code, _, _ in SERIES)])
    bars = []
    for i, d in enumerate(days):
        for j, (code, label, colour) in enumerate(SERIES):
            h = round(d[code] / peak * height)
            bars.append(
                {
                    "x": i * slot + j * bar,
                    "y": height - h + 14,
                    "w": bar - 1,
                    "h": h,
                    "colour": colour,
                    "value": d[code],
                    "title": f"{d['day']:%d-%m}: {d[code]} {label}",
                }
            )
    return {"width": len(days) * slot, "height": height + 14, "bars": bars, "slot": slot}
