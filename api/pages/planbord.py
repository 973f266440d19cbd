"""The planbord: workflows per period and product with filing and payment deadlines, step,
owner, and what is overdue (in red), filtered by product, period, owner or "mijn werk"."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.dutch import period_label
from api.pages.common import SignedInDep, engine_of, page
from api.review import NO_NUL
from models import session_scope
from models.catalogue import CATALOGUE
from planner.queries import list_workflows
from planner.records import WorkflowRecord

__all__ = ["owner_of", "router"]

router = APIRouter(include_in_schema=False)
DONE = "done"


def owner_of(workflow: WorkflowRecord) -> str | None:
    """Who holds the workflow now: the team member of its current step."""
    for step in workflow.steps:
        if step.get("name") == workflow.status:
            member = step.get("member")
            return None if member is None else str(member)
    return None


def overdue(workflow: WorkflowRecord, today: dt.date) -> dict[str, bool]:
    """Which of its deadlines passed while the work is not done."""
    open_ = workflow.status != DONE

    def passed(day: str | None) -> bool:
        return open_ and day is not None and dt.date.fromisoformat(day) < today

    return {"filing": passed(workflow.deadline), "payment": passed(workflow.payment_deadline)}


@router.get("/planbord", response_class=HTMLResponse)
def planbord(
    request: Request,
    staff: SignedInDep,
    product: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None,
    periode: Annotated[str | None, Query(max_length=40, pattern=NO_NUL)] = None,
    eigenaar: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
    mijn: Annotated[bool, Query()] = False,
    open_only: Annotated[bool, Query(alias="open")] = True,
) -> Response:
    """Workflows, grouped per period and product, filtered."""
    today = dt.date.today()
    with session_scope(engine_of(request)) as session:
        office = staff.office(session)
        workflows = list_workflows(session, office)
    rows: list[dict[str, Any]] = []
    owner_filter = staff.member_code if mijn else (eigenaar or None)
    for w in workflows:
        label = period_label(w.period_start, w.period_end, w.period_kind)
        owner = owner_of(w)
        if (product and w.product != product) or (periode and label != periode):
            continue
        if (owner_filter and owner != owner_filter) or (open_only and w.status == DONE):
            continue
        rows.append({"w": w, "period": label, "owner": owner, "late": overdue(w, today)})
    rows.sort(key=lambda r: (r["w"].period_start, r["w"].product, r["w"].relation_number))
    return page(
        request,
        "planbord.html",
        {
            "rows": rows,
            "products": [(spec.code, spec.name) for spec in CATALOGUE],
            "periods": sorted(
                {period_label(w.period_start, w.period_end, w.period_kind) for w in workflows}
            ),
            "owners": sorted({o for w in workflows if (o := owner_of(w))}),
            "filters": {
                "product": product or "",
                "periode": periode or "",
                "eigenaar": eigenaar or "",
                "mijn": mijn,
                "open": open_only,
            },
            "member_code": staff.member_code,
            "late_count": sum(1 for r in rows if r["late"]["filing"] or r["late"]["payment"]),
        },
        staff=staff,
        office=office,
    )
