"""Reading workflows: the docs/contracts.md ``workflows list`` record, scoped by office."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import InboxReturn, Office, Product, Relation, ReturnStatus, Workflow
from planner.payment import payment_account
from planner.records import WorkflowRecord

__all__ = ["list_workflows"]


def list_workflows(
    session: Session,
    office: Office,
    ids: Sequence[int] | None = None,
    *,
    relation_id: int | None = None,
) -> list[WorkflowRecord]:
    """The office's workflows (only those of ``ids``, or of one relation, when given) with the
    ids of the returns in them, oldest period first."""
    placed = select(InboxReturn.workflow_id, InboxReturn.id).where(
        InboxReturn.office_id == office.id,
        InboxReturn.workflow_id.is_not(None),
        InboxReturn.status == ReturnStatus.MATCHED,
    )
    chosen = select(Workflow, Relation.number, Product.code).where(Workflow.office_id == office.id)
    if ids is not None:
        placed = placed.where(InboxReturn.workflow_id.in_(ids))
        chosen = chosen.where(Workflow.id.in_(ids))
    if relation_id is not None:
        placed = placed.where(InboxReturn.relation_id == relation_id)
        chosen = chosen.where(Workflow.relation_id == relation_id)
    returns: dict[int, list[int]] = {}
    for workflow_id, return_id in session.execute(placed.order_by(InboxReturn.id)):
        if workflow_id is not None:
            returns.setdefault(workflow_id, []).append(return_id)
    rows = session.execute(
        chosen.join(Relation, Relation.id == Workflow.relation_id)
        .join(Product, Product.id == Workflow.product_id)
        .order_by(Workflow.period_start, Relation.number, Product.code)
    )
    return [
        WorkflowRecord(
            id=workflow.id,
            office=office.code,
            relation_number=number,
            product=code,
            period_start=workflow.period_start.isoformat(),
            period_end=workflow.period_end.isoformat(),
            deadline=None if workflow.deadline is None else workflow.deadline.isoformat(),
            source=workflow.source.value,
            status=workflow.status,
            return_ids=returns.get(workflow.id, []),
            period_kind=workflow.period_kind,
            ideal_payment=workflow.ideal_payment,
            steps=workflow.steps,
            payment_deadline=_iso(workflow.payment_deadline),
            payment_reference=workflow.payment_reference,
            payment_account=None
            if workflow.payment_deadline is None
            else payment_account(workflow.payment_deadline),
            amount_due=None if workflow.amount_due is None else str(workflow.amount_due),
        )
        for workflow, number, code in rows
    ]


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()
