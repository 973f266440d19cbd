"""What of a relation still points at a return: the check that an undone placement left
nothing behind (the inbox tests and the browser tests both ask it)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Document, InboxReturn, TimelineEvent, Workflow

__all__ = ["refers_to"]


def refers_to(session: Session, relation_id: int, return_id: int) -> list[str]:
    """Every document, timeline line and workflow of the relation that names the return."""
    found = [
        f"document {d.name}"
        for d in session.scalars(select(Document).where(Document.relation_id == relation_id))
        if d.return_id == return_id
    ]
    found += [
        f"timeline {e.text}"
        for e in session.scalars(
            select(TimelineEvent).where(TimelineEvent.relation_id == relation_id)
        )
        if e.refs.get("return_id") == return_id
    ]
    placed = session.get(InboxReturn, return_id)
    if placed is not None and placed.workflow_id is not None:
        workflow = session.get(Workflow, placed.workflow_id)
        if workflow is not None and workflow.relation_id == relation_id:
            found.append(f"workflow {workflow.id}")
    return found
