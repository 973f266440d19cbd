"""What of a relation still points at a return, and everything a placement may change on it:
the checks that an undone placement left nothing behind (the inbox, security and browser
tests ask them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Document, DossierFolder, FiscalNumber, InboxReturn, TimelineEvent, Workflow

__all__ = ["refers_to", "relation_state"]


def relation_state(session: Session, relation_id: int) -> dict[str, Any]:
    """Everything of a relation a placement and its undo may touch: its fiscal numbers, its
    workflows' step and payment facts, its dossier and its timeline."""
    return {
        "numbers": sorted(
            (n.type.value, n.normalised, n.sbr_enabled, n.sbr_start_date, n.sbr_ideal)
            for n in session.scalars(
                select(FiscalNumber).where(FiscalNumber.relation_id == relation_id)
            )
        ),
        "workflows": sorted(
            (w.id, w.status, w.amount_due, w.payment_reference, w.ideal_payment)
            for w in session.scalars(select(Workflow).where(Workflow.relation_id == relation_id))
        ),
        "documents": sorted(
            (d.id, d.name, d.folder_id)
            for d in session.scalars(select(Document).where(Document.relation_id == relation_id))
        ),
        "folders": sorted(
            (f.id, f.parent_id, f.name)
            for f in session.scalars(
                select(DossierFolder).where(DossierFolder.relation_id == relation_id)
            )
        ),
        "timeline": sorted(
            (t.id, t.kind, t.text)
            for t in session.scalars(
                select(TimelineEvent).where(TimelineEvent.relation_id == relation_id)
            )
        ),
    }


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
