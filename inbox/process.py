"""Processing a received return: duplicate check, parse, match, decide. Idempotent by id.

``process_return`` does nothing to a return that is no longer ``received``, and takes the row
with a lock (``FOR UPDATE`` on PostgreSQL), so a task delivered twice, or two workers at once,
decide it exactly once.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.decisions import SYSTEM, apply_decision, facts_of, record_event, set_state
from inbox.rejections import rejection_sentences
from matching.candidates import find_candidates
from matching.decide import Decision, decide
from matching.rules import KIND_RULES
from models import InboxReturn, RawMessage, ReturnStatus
from sbr_parser import ParsedReturn, parse_message

__all__ = [
    "ProcessOutcome",
    "decide_stored",
    "decision_for",
    "pending_return_ids",
    "process_return",
]


class ProcessOutcome(NamedTuple):
    """What processing one id did (``changed`` is False when it was already decided)."""

    return_id: int
    status: ReturnStatus | None
    changed: bool


def pending_return_ids(session: Session, limit: int = 1000) -> list[int]:
    """Ids of returns waiting to be processed, oldest first."""
    return list(
        session.scalars(
            select(InboxReturn.id)
            .where(InboxReturn.status == ReturnStatus.RECEIVED)
            .order_by(InboxReturn.id)
            .limit(limit)
        )
    )


def process_return(session: Session, return_id: int, *, max_bytes: int) -> ProcessOutcome:
    """Decide one received return; a no-op for any other state."""
    row = session.get(InboxReturn, return_id, with_for_update=True)
    if row is None or row.status is not ReturnStatus.RECEIVED:
        return ProcessOutcome(return_id, None if row is None else row.status, False)
    original = session.scalar(
        select(InboxReturn.id)
        .where(
            InboxReturn.office_id == row.office_id,
            InboxReturn.sha256 == row.sha256,
            InboxReturn.id < row.id,
            InboxReturn.status != ReturnStatus.DUPLICATE,
        )
        .order_by(InboxReturn.id)
        .limit(1)
    )
    if original is not None:
        # The first delivery of these bytes is the return; this one creates nothing new.
        set_state(
            row,
            ReturnStatus.DUPLICATE,
            None,
            f"Dezelfde aangifte is al ontvangen als #{original}.",
            f"The same return was received before as #{original}.",
            duplicate_of_id=original,
        )
        record_event(session, row, actor=SYSTEM, trigger="received", detail={"first": original})
        return ProcessOutcome(return_id, row.status, True)
    data = session.scalars(select(RawMessage.data).where(RawMessage.id == row.message_id)).one()
    result = parse_message(data, filename=row.file_name, max_bytes=max_bytes)
    row.kind = result.kind
    row.identifier = result.identifier
    row.identifier_type = result.identifier_type
    row.taxonomy = None if result.taxonomy is None else result.taxonomy.reference
    if not isinstance(result, ParsedReturn):
        nl, en = rejection_sentences(result)
        set_state(row, ReturnStatus.REJECTED, result.reason.value, nl, en)
        record_event(session, row, actor=SYSTEM, trigger="received")
        return ProcessOutcome(return_id, row.status, True)
    row.identifier_normalised = result.identifier_normalised
    row.identifier_valid = result.identifier_valid
    row.period_start = result.period_start
    row.period_end = result.period_end
    row.amount_due = result.amount_due
    # The parsed fields are written with the decision, in one UPDATE, not flushed before the
    # candidate query (a round trip less per return).
    with session.no_autoflush:
        decide_stored(session, row, trigger="received")
    return ProcessOutcome(return_id, row.status, True)


def decision_for(session: Session, row: InboxReturn) -> Decision | None:
    """What the rules decide now for a stored return (None if it was never read as one)."""
    facts = facts_of(row)
    if facts is None:
        return None
    candidates = find_candidates(
        session, row.office_id, KIND_RULES[facts.kind].identifier_type, facts.identifier
    )
    return decide(facts, candidates)


def decide_stored(
    session: Session, row: InboxReturn, *, trigger: str, detail: dict[str, object] | None = None
) -> bool:
    """Run the rules on a stored, parsed return and apply the result; False if unreadable."""
    decision = decision_for(session, row)
    if decision is None:
        return False
    apply_decision(session, row, decision, actor=SYSTEM, trigger=trigger, detail=detail)
    return True
