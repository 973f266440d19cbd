"""The work queue: what waits, grouped by reason (most and oldest first), with tabs for the
other states, filters, free search, paging and bulk fixes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.pages.common import CsrfField, SignedInDep, act, engine_of, local_path, page
from api.paths import ID
from api.review import NO_NUL
from inbox.fixes import sbr_on_where_held
from inbox.queries import (
    ReturnFilter,
    count_returns,
    holders_of,
    page_returns,
    waiting_by_reason,
)
from inbox.records import ReturnRecord
from inbox.staff import dismiss
from models import InboxReturn, Office, ReturnStatus, session_scope
from sbr_parser import ReturnKind

__all__ = ["TABS", "router"]

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
# Tab code -> (title, statuses). "Afgehandeld": taken out by staff, or a duplicate delivery.
TABS: dict[str, tuple[str, tuple[ReturnStatus, ...]]] = {
    "wacht": ("Niet geplaatst", (ReturnStatus.UNMATCHED,)),
    "geweigerd": ("Geweigerd", (ReturnStatus.REJECTED,)),
    "afgehandeld": ("Afgehandeld", (ReturnStatus.DISMISSED, ReturnStatus.DUPLICATE)),
    "geplaatst": ("Geplaatst", (ReturnStatus.MATCHED,)),
    "alles": ("Alles", ()),
}


@router.get("/", response_class=HTMLResponse)
def queue(
    request: Request,
    staff: SignedInDep,
    tab: Annotated[str, Query(max_length=20)] = "wacht",
    reason: Annotated[str | None, Query(max_length=32, pattern=NO_NUL)] = None,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    period: Annotated[str | None, Query(max_length=21, pattern=NO_NUL)] = None,
    q: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
    page_number: Annotated[int, Query(alias="pagina", ge=1, le=100_000)] = 1,
) -> Response:
    """The queue (grouped by reason while nothing narrows it), or one filtered, paged list."""
    tab = tab if tab in TABS else "wacht"
    start, end = _period(period)
    chosen = ReturnFilter(
        statuses=TABS[tab][1],
        reason=reason or None,
        kind=ReturnKind(kind) if kind in set(ReturnKind) else None,
        query=q,
        period_start=start,
        period_end=end,
    )
    grouped_view = tab == "wacht" and chosen == ReturnFilter(statuses=TABS["wacht"][1])
    with session_scope(engine_of(request)) as session:
        office = staff.office(session)
        summary = waiting_by_reason(session, office)
        groups: list[dict[str, Any]] = []
        records: list[ReturnRecord]
        if grouped_view:
            for code, count, oldest in summary:
                rows = page_returns(
                    session,
                    office,
                    ReturnFilter(statuses=(ReturnStatus.UNMATCHED,), reason=code),
                    limit=PAGE_SIZE,
                )
                groups.append({"reason": code, "count": count, "oldest": oldest, "rows": rows})
            total = sum(count for _, count, _ in summary)
            records = [row for group in groups for row in group["rows"]]
        else:
            total = count_returns(session, office, chosen)
            records = page_returns(
                session,
                office,
                chosen,
                limit=PAGE_SIZE,
                offset=(page_number - 1) * PAGE_SIZE,
                newest_first=tab != "wacht",
            )
        holders = holders_of(session, office, records)
        periods = _periods(session, office.id)
    return page(
        request,
        "queue.html",
        {
            "tabs": TABS,
            "tab": tab,
            "grouped": grouped_view,
            "groups": groups,
            "records": records,
            "holders": holders,
            "total": total,
            "waiting": sum(count for _, count, _ in summary),
            "filters": {
                "reason": reason or "",
                "kind": kind or "",
                "period": period or "",
                "q": q or "",
            },
            "kinds": list(ReturnKind),
            "periods": periods,
            "page_number": page_number,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "query_string": _query_string(tab, reason, kind, period, q),
        },
        staff=staff,
        office=office,
    )


@router.post("/bulk")
def bulk(
    request: Request,
    staff: SignedInDep,
    csrf: CsrfField,
    action: Annotated[str, Form(max_length=20)],
    ids: Annotated[list[ID], Form(max_length=500)],
    remark: Annotated[str, Form(max_length=2000, pattern=NO_NUL)] = "",
    back: Annotated[str, Form(max_length=500, pattern=NO_NUL)] = "/",
) -> Response:
    """One fix for the selected returns: SBR on where their number is held, or dismiss them
    with one remark. All or nothing."""

    def run(session: Session, office: Office, actor: str) -> None:
        for return_id in ids:
            if action == "dismiss":
                dismiss(session, office, return_id, remark, actor=actor)
            else:
                sbr_on_where_held(session, office, return_id, actor=actor)

    done = "afgehandeld" if action == "dismiss" else "SBR ingeschakeld"
    return act(request, staff, csrf, run, local_path(back), f"{len(ids)} aangiften: {done}.")


def _period(value: str | None) -> tuple[dt.date | None, dt.date | None]:
    """``2026-01-01_2026-03-31`` -> its dates (anything else: no period filter)."""
    try:
        first, last = (value or "").split("_")
        return dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    except ValueError:
        return None, None


def _periods(session: Session, office_id: int) -> list[tuple[dt.date, dt.date]]:
    """The periods the office's returns are for, newest first (the period filter's choices)."""
    rows = session.execute(
        select(InboxReturn.period_start, InboxReturn.period_end)
        .where(InboxReturn.office_id == office_id, InboxReturn.period_start.is_not(None))
        .distinct()
        .order_by(InboxReturn.period_start.desc(), InboxReturn.period_end)
        .limit(60)
    )
    return [(first, last) for first, last in rows if first is not None and last is not None]


def _query_string(
    tab: str, reason: str | None, kind: str | None, period: str | None, q: str | None
) -> str:
    pairs = {"tab": tab, "reason": reason, "kind": kind, "period": period, "q": q}
    return urlencode({k: v for k, v in pairs.items() if v})
