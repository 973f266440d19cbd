"""Applying a decision to a stored return, and recording it in the return's history.

Every path that decides (first processing, re-decide after a change, a staff assignment, undo)
ends in :func:`apply_decision`, so the return's columns and its history cannot disagree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inbox.outbox import add_effects
from matching.decide import Decision, ReturnFacts
from models import InboxReturn, Product, ReturnEvent, ReturnStatus, Workflow, WorkflowSource
from planner.payment import PAID_PRODUCTS, payment_reference
from planner.periods import CORRECTION, Period, is_correction
from planner.workflows import insert_workflow, roles_of, workflow_values
from sbr_parser import ReturnKind

__all__ = ["SYSTEM", "apply_decision", "facts_of", "record_event", "set_state"]

SYSTEM = "system"


def facts_of(row: InboxReturn) -> ReturnFacts | None:
    """What the rules need of a stored return, or None when it was never read as one."""
    if (
        row.kind is None
        or row.identifier_normalised is None
        or row.period_start is None
        or row.period_end is None
    ):
        return None
    return ReturnFacts(
        kind=row.kind,
        identifier=row.identifier_normalised,
        identifier_valid=bool(row.identifier_valid),
        period_start=row.period_start,
        period_end=row.period_end,
    )


def apply_decision(
    session: Session,
    row: InboxReturn,
    decision: Decision,
    *,
    actor: str,
    trigger: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Make ``row`` say what ``decision`` says, and add the decision to its history."""
    if decision.matched and decision.relation is not None and decision.product is not None:
        workflow_id, created = _workflow(session, row, decision)
        set_state(
            row,
            ReturnStatus.MATCHED,
            None,
            decision.explanation_nl,
            decision.explanation_en,
            relation_id=decision.relation.relation_id,
            product_id=decision.product.product_id,
            workflow_id=workflow_id,
            version=1 if created else _next_version(session, workflow_id),
        )
        # The effects run after commit, from the outbox, for this placement.
        row.workflow_started = False
        add_effects(session, row, first_decision=trigger == "received")
    else:
        set_state(
            row,
            ReturnStatus.UNMATCHED,
            None if decision.reason is None else decision.reason.value,
            decision.explanation_nl,
            decision.explanation_en,
        )
    record_event(
        session,
        row,
        actor=actor,
        trigger=trigger,
        rule=decision.rule,
        detail={"relations": list(decision.involved), **(detail or {})},
    )


def set_state(
    row: InboxReturn,
    status: ReturnStatus,
    reason: str | None,
    explanation_nl: str | None,
    explanation_en: str | None,
    *,
    relation_id: int | None = None,
    product_id: int | None = None,
    workflow_id: int | None = None,
    version: int | None = None,
    duplicate_of_id: int | None = None,
) -> None:
    """Set every decision column at once: nothing of an earlier decision can linger."""
    row.status = status
    row.reason = reason
    row.explanation_nl = explanation_nl
    row.explanation_en = explanation_en
    row.relation_id = relation_id
    row.product_id = product_id
    row.workflow_id = workflow_id
    row.version = version
    row.duplicate_of_id = duplicate_of_id
    row.decided_at = func.now()  # evaluated by the database


def record_event(
    session: Session,
    row: InboxReturn,
    *,
    actor: str,
    trigger: str,
    rule: int | None = None,
    remark: str | None = None,
    detail: dict[str, Any] | None = None,
) -> ReturnEvent:
    """Append the return's current state to its history."""
    event = ReturnEvent(
        office_id=row.office_id,
        return_id=row.id,
        actor=actor,
        trigger=trigger,
        rule=rule,
        status=row.status,
        reason=row.reason,
        remark=remark,
        explanation_nl=row.explanation_nl,
        explanation_en=row.explanation_en,
        detail=detail or {},
    )
    session.add(event)
    session.flush()
    return event


def _workflow(session: Session, row: InboxReturn, decision: Decision) -> tuple[int, bool]:
    """The id of the workflow of (relation, product, period), made now if the planner has
    not; and whether this call made it.

    Made with INSERT ... ON CONFLICT DO NOTHING (one round trip, no savepoint): when the
    planner or another worker made it first, the existing one is locked and used instead.
    """
    assert decision.relation is not None  # noqa: S101 - checked by the caller
    assert decision.product is not None  # noqa: S101
    key = {
        "relation_id": decision.relation.relation_id,
        "product_id": decision.product.product_id,
        "period_start": row.period_start,
        "period_end": row.period_end,
    }

    def existing() -> Workflow | None:
        # Locked: the version number below is computed under it.
        return session.scalar(select(Workflow).filter_by(**key).with_for_update())

    workflow = existing()
    if workflow is None:
        product = _product(session, decision.product.product_id)
        assert product is not None  # noqa: S101 - the candidate query found it
        relation_id = decision.relation.relation_id
        period = Period(row.period_start, row.period_end)  # type: ignore[arg-type]
        # The relation says what it files; else the dates. A suppletie over several of its
        # periods is a correction of its own.
        kind = decision.product.period
        if row.kind == ReturnKind.OB_SUPPLETIE and is_correction(period, kind):
            kind = CORRECTION
        values = workflow_values(
            office_id=row.office_id,
            relation_id=relation_id,
            product=product,
            period=period,
            kind=kind,
            source=WorkflowSource.INBOX,
            roles=roles_of(session, [relation_id]).get(relation_id, {}),
            ideal_payment=decision.ideal,
        )
        made = insert_workflow(
            session,
            {
                **values,
                "amount_due": row.amount_due,
                "payment_reference": _reference(product.code, row, values["period_kind"]),
            },
        )
        if made is not None:
            return made, True
        workflow = existing()  # made at the same moment elsewhere
        assert workflow is not None  # noqa: S101 - the conflict says it exists
    if decision.ideal and not workflow.ideal_payment:
        workflow.ideal_payment = True
    if row.amount_due is not None:
        workflow.amount_due = row.amount_due
    if workflow.payment_reference is None and workflow.period_kind is not None:
        # A planned workflow learns its number from the first return placed in it.
        product = _product(session, workflow.product_id)
        if product is not None:
            workflow.payment_reference = _reference(product.code, row, workflow.period_kind)
    return workflow.id, False


def _reference(product_code: str, row: InboxReturn, period_kind: str) -> str | None:
    """The betalingskenmerk of a placed OB or payroll return (None for the other products)."""
    if (
        product_code not in PAID_PRODUCTS
        or row.identifier_normalised is None
        or row.period_start is None
        or row.period_end is None
    ):
        return None
    try:
        return payment_reference(
            row.identifier_normalised, period_kind, Period(row.period_start, row.period_end)
        )
    except ValueError:  # a period kind with no code (e.g. an OB four-week period)
        return None


def _product(session: Session, product_id: int) -> Product | None:
    """The product, read once per session: the identity map holds objects weakly, so a batch
    of returns would otherwise read the same few catalogue rows once per return."""
    products: dict[int, Product] = session.info.setdefault("products", {})
    if product_id not in products:
        found = session.get(Product, product_id)
        if found is None:
            return None
        products[product_id] = found
    return products[product_id]


def _next_version(session: Session, workflow_id: int) -> int:
    highest = session.scalar(
        select(func.max(InboxReturn.version)).where(InboxReturn.workflow_id == workflow_id)
    )
    return (highest or 0) + 1
