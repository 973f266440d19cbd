"""Applying a decision to a stored return, and recording it in the return's history.

Every path that decides (first processing, re-decide after a change, a staff assignment, undo)
ends in :func:`apply_decision`, so the return's columns and its history cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from inbox.outbox import add_effects
from inbox.placement import workflow_for
from matching.decide import Decision, ReturnFacts
from models import InboxReturn, ReturnEvent, ReturnStatus

__all__ = ["SYSTEM", "apply_decision", "facts_of", "one_moment", "record_event", "set_state"]

SYSTEM = "system"
_MOMENT = "sbr_inbox_decided_at"


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
        workflow_id, version = workflow_for(session, row, decision)
        set_state(
            row,
            ReturnStatus.MATCHED,
            None,
            decision.explanation_nl,
            decision.explanation_en,
            relation_id=decision.relation.relation_id,
            product_id=decision.product.product_id,
            workflow_id=workflow_id,
            version=version,
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
    # The database's time: the transaction's, read once for a batch (one_moment), else now().
    session = object_session(row)
    row.decided_at = func.now() if session is None else session.info.get(_MOMENT, func.now())


@contextmanager
def one_moment(session: Session) -> Iterator[None]:
    """Within the block, decisions are stamped with the transaction's time read once, not
    with ``now()`` in each UPDATE: a batch's UPDATEs then differ in values only, and go out
    as one executemany instead of one statement per return (issue 16)."""
    session.info[_MOMENT] = session.scalar(select(func.now()))
    try:
        yield
    finally:
        session.info.pop(_MOMENT, None)


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
    # Not flushed here: a batch's events go to the database in one INSERT with its commit.
    session.add(event)
    return event
