"""Staff decisions on returns: assign to a relation, dismiss, undo, re-run the rules.

Each is recorded in the return's history as the staff member's decision (actor
``staff:<e-mail>``). An assignment still obeys rules 3 and 7 (the relation must be able to
receive the kind and have an active product for it); the SBR settings do not bind staff.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.deciding import decide_stored, decision_for, placeable
from inbox.decisions import apply_decision, facts_of, record_event, set_state
from inbox.errors import ActionRefusedError, ReturnNotFoundError
from inbox.queries import check_return_id
from inbox.reversal import take_back_placement
from matching.candidates import relation_candidate
from matching.decide import decide_for_relation
from models import InboxReturn, Office, Relation, ReturnEvent, ReturnStatus

__all__ = [
    "assign",
    "dismiss",
    "get_return_for_update",
    "not_waiting",
    "rerun",
    "staff_actor",
    "undo",
]

# The actions undo can take back, and what each may be taken back from.
_UNDOABLE = ("assign", "dismiss")
_DISMISSABLE = (ReturnStatus.UNMATCHED, ReturnStatus.REJECTED, ReturnStatus.DUPLICATE)


def staff_actor(email: str) -> str:
    """The actor string of a staff member in the history."""
    return f"staff:{email}"


def get_return_for_update(session: Session, office: Office, return_id: int) -> InboxReturn:
    """The office's return ``return_id``, locked; another office's id is simply not found."""
    check_return_id(office, return_id)
    row = session.scalar(
        select(InboxReturn)
        .where(InboxReturn.office_id == office.id, InboxReturn.id == return_id)
        .with_for_update()
    )
    if row is None:
        raise ReturnNotFoundError(f"office {office.code!r} has no return {return_id}")
    return row


def not_waiting(row: InboxReturn) -> ActionRefusedError:
    """The refusal of an action that needs a return waiting for a place."""
    return ActionRefusedError(
        f"return {row.id} is {row.status.value}, not unmatched",
        f"Aangifte {row.id} wacht niet meer op plaatsing.",
    )


def assign(
    session: Session,
    office: Office,
    return_id: int,
    relation_number: str,
    *,
    actor: str,
    detail: dict[str, Any] | None = None,
) -> InboxReturn:
    """Place an unmatched return with a relation chosen by staff (``detail``: what else the
    same staff action did, for undo)."""
    row = get_return_for_update(session, office, return_id)
    if row.status is not ReturnStatus.UNMATCHED:
        raise not_waiting(row)
    facts = facts_of(row)
    relation_id = session.scalar(
        select(Relation.id).where(
            Relation.office_id == office.id, Relation.number == relation_number
        )
    )
    if facts is None or relation_id is None:
        raise ActionRefusedError(
            f"office {office.code!r} has no relation {relation_number!r}"
            if relation_id is None
            else f"return {return_id} was never read as a return",
            f"Er is geen relatie {relation_number}."
            if relation_id is None
            else f"Aangifte {return_id} is nooit als aangifte gelezen.",
        )
    candidate = relation_candidate(
        session, office.id, relation_id, row.identifier_type, row.identifier_normalised
    )
    assert candidate is not None  # noqa: S101 - the relation was found just above
    decision = placeable(session, facts, decide_for_relation(facts, candidate))
    if not decision.matched:
        raise ActionRefusedError(decision.explanation_en, decision.explanation_nl)
    apply_decision(session, row, decision, actor=actor, trigger="assign", detail=detail)
    return row


def dismiss(
    session: Session, office: Office, return_id: int, remark: str, *, actor: str
) -> InboxReturn:
    """Take a return out of the review queue, with the staff member's remark."""
    if not remark.strip():
        raise ActionRefusedError(
            "a dismissal needs a remark saying why", "Schrijf erbij waarom u hem afhandelt."
        )
    row = get_return_for_update(session, office, return_id)
    if row.status not in _DISMISSABLE:
        raise ActionRefusedError(
            f"return {return_id} is {row.status.value}; it cannot be dismissed",
            f"Aangifte {return_id} is al geplaatst of afgehandeld.",
        )
    set_state(
        row,
        ReturnStatus.DISMISSED,
        row.reason,
        f"Afgewezen door {actor.removeprefix('staff:')}: {remark}",
        f"Dismissed by {actor.removeprefix('staff:')}: {remark}",
        duplicate_of_id=row.duplicate_of_id,
    )
    record_event(session, row, actor=actor, trigger="dismiss", remark=remark)
    return row


def undo(session: Session, office: Office, return_id: int, *, actor: str) -> InboxReturn:
    """Take back the last staff assignment or dismissal, whole (issue 22): an assignment's
    document, workflow, payment facts, timeline lines and the number it added are taken back
    (``inbox.reversal``). A return that waited for a place is then decided again, so it shows
    today's reason and candidates; one that the rules would now place stays where it was
    before (staff asked to take a placement back, not for a new one)."""
    row = get_return_for_update(session, office, return_id)
    history = session.scalars(
        select(ReturnEvent).where(ReturnEvent.return_id == row.id).order_by(ReturnEvent.id.desc())
    ).all()
    if len(history) < 2 or history[0].trigger not in _UNDOABLE:
        raise ActionRefusedError(
            f"return {return_id} has no staff decision to undo",
            "Er is geen beslissing van een medewerker om ongedaan te maken.",
        )
    undone, previous = history[0], history[1]
    reversed_ = (
        take_back_placement(session, row, undone, actor=actor)
        if row.status is ReturnStatus.MATCHED
        else {}
    )
    detail = {"undid": undone.id, **reversed_}
    if previous.status is ReturnStatus.UNMATCHED:
        decision = decision_for(session, row)
        if decision is not None and not decision.matched:
            apply_decision(session, row, decision, actor=actor, trigger="undo", detail=detail)
            return row
    set_state(
        row,
        previous.status,
        previous.reason,
        previous.explanation_nl,
        previous.explanation_en,
        duplicate_of_id=row.duplicate_of_id if previous.status is ReturnStatus.DUPLICATE else None,
    )
    record_event(session, row, actor=actor, trigger="undo", detail=detail)
    return row


def rerun(session: Session, office: Office, return_id: int, *, actor: str) -> InboxReturn:
    """Run the rules again for one unmatched return now (staff asked; no change needed)."""
    row = get_return_for_update(session, office, return_id)
    if row.status is not ReturnStatus.UNMATCHED:
        raise ActionRefusedError(
            f"return {return_id} is {row.status.value}, not unmatched",
            f"Aangifte {return_id} wacht niet meer op plaatsing.",
        )
    decide_stored(session, row, trigger="rerun", detail={"asked_by": actor})
    return row
