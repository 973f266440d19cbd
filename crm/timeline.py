"""Timeline entries (tijdlijn): what happened on a relation, in words staff read."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crm.changes import ChangeRow
from models import ChangeKind, TimelineEvent

__all__ = ["add_timeline_event", "change_text"]


def change_text(change: ChangeRow) -> str:
    """A Dutch sentence for a change event, as the office's staff read their timeline."""
    number = f"{change.identifier_type.value} {change.normalised}"
    detail = change.detail
    if change.kind is ChangeKind.FISCAL_NUMBER:
        return f"Fiscaal nummer {number} {'toegevoegd' if detail.get('added') else 'verwijderd'}"
    if change.kind is ChangeKind.SBR_SETTINGS:
        after = detail.get("after", {})
        state = "aan" if after.get("sbr_enabled") else "uit"
        start = after.get("sbr_start_date") or "geen"
        return f"SBR-instellingen van {number}: SBR {state}, startdatum {start}"
    if change.kind is ChangeKind.LEGAL_FORM:
        return f"Rechtsvorm gewijzigd: {detail.get('before')} -> {detail.get('after')} ({number})"
    if change.kind is ChangeKind.RELATION_TYPE:
        return f"Relatietype gewijzigd: {detail.get('before')} -> {detail.get('after')} ({number})"
    products = ", ".join(detail.get("after", [])) or "geen"
    return f"Producten gewijzigd, actief: {products} ({number})"


def add_timeline_event(
    session: Session, office_id: int, relation_id: int, kind: str, text: str, **refs: Any
) -> TimelineEvent:
    """Record an event on a relation's timeline (in the caller's transaction).

    Takes ids, so a task that knows them need not load the relation.
    """
    event = TimelineEvent(
        office_id=office_id, relation_id=relation_id, kind=kind, text=text, refs=refs
    )
    session.add(event)
    return event
