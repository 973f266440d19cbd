"""Making workflows (planner, inbox, staff) with their deadline and steps, in bulk or one.

One function builds a workflow's column values, so a workflow looks the same whoever made it;
:func:`insert_workflows` writes many with INSERT ... ON CONFLICT DO NOTHING on the
(relation, product, period) key, which is what makes the planner safe to run twice or twice
at once: a workflow that exists is never made again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Product, RelationRole, TeamMember, Workflow, WorkflowSource
from models.db import insert_missing
from planner.payment import PAID_PRODUCTS
from planner.periods import CORRECTION, Period, deadline, kind_of, payment_deadline
from planner.steps import steps_for

__all__ = ["insert_workflows", "roles_of", "workflow_values"]


def roles_of(session: Session, relation_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """role -> team member code, per relation (first member per role)."""
    ids = list(set(relation_ids))
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for start in range(0, len(ids), 1000):
        rows = session.execute(
            select(RelationRole.relation_id, RelationRole.role, TeamMember.code)
            .join(TeamMember, TeamMember.id == RelationRole.team_member_id)
            .where(RelationRole.relation_id.in_(ids[start : start + 1000]))
            .order_by(RelationRole.id)
        )
        for relation_id, role, code in rows:
            found[relation_id].setdefault(role, code)
    return found


def workflow_values(
    *,
    office_id: int,
    relation_id: int,
    product: Product,
    period: Period,
    kind: str | None,
    source: WorkflowSource,
    roles: dict[str, str],
    ideal_payment: bool = False,
) -> dict[str, Any]:
    """The columns of a new workflow of ``product`` for ``period``; a ``correction`` (a
    suppletie over several periods) gets neither a filing nor a payment deadline."""
    period_kind = kind or kind_of(period)
    dated = period_kind != CORRECTION
    return {
        "office_id": office_id,
        "relation_id": relation_id,
        "product_id": product.id,
        "period_start": period.start,
        "period_end": period.end,
        "period_kind": period_kind,
        "source": source,
        "status": "prepare",
        "deadline": deadline(product.deadline_rule, period_kind, period) if dated else None,
        "payment_deadline": payment_deadline(period)
        if dated and product.code in PAID_PRODUCTS
        else None,
        "steps": steps_for(product.code, roles, ideal_payment=ideal_payment),
        "ideal_payment": ideal_payment,
    }


def _insert_new(session: Session) -> Any:
    return insert_missing(
        session, Workflow, ("relation_id", "product_id", "period_start", "period_end")
    )


def insert_workflows(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert the workflows that do not exist yet (one statement per 5,000); the new ids."""
    made: list[int] = []
    for start in range(0, len(rows), 5000):
        made += session.scalars(_insert_new(session), list(rows[start : start + 5000])).all()
    return made
