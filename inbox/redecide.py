"""Re-deciding waiting returns when the relation data they depend on changes.

The CRM records a change event per affected fiscal number (``crm.changes``). Here each pending
event is taken once (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers share the work), the
office's unmatched returns carrying that number are decided again, and the event is marked
handled. A return whose decision changes gets a history entry naming the change; one that stays
unmatched for the same reason is left as it was.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inbox.deciding import decisions_for
from inbox.decisions import SYSTEM, apply_decision
from models import ChangeEvent, InboxReturn, ReturnStatus, UnmatchedReason
from sbr_parser import IdentifierType

__all__ = ["RedecideReport", "redecide_changes"]


class RedecideReport(NamedTuple):
    """Counts of one pass, and the returns it placed (whose effects are to be sent)."""

    events: int
    returns_decided: int
    returns_changed: int
    matched_ids: tuple[int, ...] = ()


def redecide_changes(session: Session, *, limit: int = 1000) -> RedecideReport:
    """Handle up to ``limit`` pending change events (all offices)."""
    events = session.scalars(
        select(ChangeEvent)
        .where(ChangeEvent.handled_at.is_(None))
        .order_by(ChangeEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    by_number: dict[tuple[int, IdentifierType, str], list[ChangeEvent]] = defaultdict(list)
    for event in events:
        by_number[(event.office_id, event.identifier_type, event.normalised)].append(event)
    decided = changed = 0
    matched: list[int] = []
    for (office_id, identifier_type, normalised), group in by_number.items():
        waiting = session.scalars(
            select(InboxReturn)
            .where(
                InboxReturn.office_id == office_id,
                InboxReturn.identifier_type == identifier_type,
                InboxReturn.identifier_normalised == normalised,
                InboxReturn.status == ReturnStatus.UNMATCHED,
                # A number that fails its check cannot be resolved by relation data.
                InboxReturn.reason != UnmatchedReason.INVALID_IDENTIFIER.value,
            )
            .order_by(InboxReturn.id)
            .with_for_update(skip_locked=True)
        ).all()
        detail: dict[str, object] = {
            "change_events": [event.id for event in group],
            "changes": sorted({event.kind.value for event in group}),
        }
        # Credit the staff member whose change it was (one source), else the system.
        sources = {str(event.detail.get("source", SYSTEM)) for event in group}
        actor = sources.pop() if len(sources) == 1 else SYSTEM
        actor = actor if actor.startswith("staff:") else SYSTEM
        # One candidate query for the group (its returns share the number), not one each.
        for row, decision in zip(waiting, decisions_for(session, waiting), strict=True):
            decided += 1
            if decision is None:
                continue
            # An unchanged outcome is not history: only a decision that moved is recorded.
            outcome = (decision.matched, decision.reason, decision.explanation_en)
            if outcome == (False, row.reason, row.explanation_en):
                continue
            apply_decision(session, row, decision, actor=actor, trigger="change", detail=detail)
            changed += 1
            if decision.matched:
                matched.append(row.id)
        for event in group:
            event.handled_at = func.now()  # set by the database
    session.flush()
    return RedecideReport(len(events), decided, changed, tuple(matched))
