"""Taking back a placement: what an undone assignment had done is undone, not left behind.

A placement files a document in the relation's dossier, makes or joins a workflow, may move it
to its first step, and writes timeline lines that link to the return. Undoing it removes the
document, removes the workflow when the placement made it and nothing else is in it (a planned
or shared workflow keeps existing and only loses the return, and goes back to ``prepare`` when
the return had started it), unlinks the relation's timeline lines from the return, and writes
one line that says what was reversed, by whom. Effects not yet run find the return no longer
matched and do nothing (``inbox.effects``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.timeline import add_timeline_event
from inbox.effects import FIRST_STEP
from models import Document, InboxReturn, TimelineEvent, Workflow, WorkflowSource

__all__ = ["take_back_placement"]

# The refs a timeline line keeps about a placement that was taken back.
_PLACEMENT_REFS = ("return_id", "workflow_id")


def take_back_placement(session: Session, row: InboxReturn, *, actor: str) -> dict[str, Any]:
    """Undo the effects of ``row``'s placement (call before its decision columns are reset);
    returns what was reversed, for the return's history."""
    relation_id, workflow_id = row.relation_id, row.workflow_id
    if relation_id is None:
        return {}
    reversed_: dict[str, Any] = {}
    document = session.scalar(select(Document).where(Document.return_id == row.id))
    if document is not None:
        reversed_["document_removed"] = document.name
        session.delete(document)
    if workflow_id is not None:
        reversed_.update(_leave_workflow(session, row, workflow_id))
    for event in session.scalars(
        select(TimelineEvent).where(
            TimelineEvent.office_id == row.office_id, TimelineEvent.relation_id == relation_id
        )
    ):
        if event.refs.get("return_id") == row.id:
            refs = {k: v for k, v in event.refs.items() if k not in _PLACEMENT_REFS}
            event.refs = {**refs, "reversed": True}
    who = actor.removeprefix("staff:")
    done = ", ".join(
        text
        for key, text in (
            ("document_removed", "document uit het dossier verwijderd"),
            ("workflow_removed", "workflow verwijderd"),
            ("workflow_reset", "workflow terug naar voorbereiden"),
            ("workflow_left", "aangifte uit de workflow gehaald"),
        )
        if key in reversed_
    )
    add_timeline_event(
        session,
        row.office_id,
        relation_id,
        "placement_reversed",
        f"Plaatsing van aangifte {row.kind} {row.period_start}..{row.period_end} ongedaan "
        f"gemaakt door {who}" + (f": {done}" if done else ""),
    )
    row.workflow_started = False
    row.filed = False
    return reversed_


def _leave_workflow(session: Session, row: InboxReturn, workflow_id: int) -> dict[str, Any]:
    workflow = session.get(Workflow, workflow_id, with_for_update=True)
    if workflow is None:
        return {}
    others = session.scalar(
        select(func.count())
        .select_from(InboxReturn)
        .where(InboxReturn.workflow_id == workflow_id, InboxReturn.id != row.id)
    )
    if others:
        return {"workflow_left": workflow_id}
    if workflow.source is WorkflowSource.INBOX:
        # Made by this placement and holding nothing else: it should never have existed.
        row.workflow_id = None
        session.flush()  # the return lets go of it before it goes
        session.delete(workflow)
        return {"workflow_removed": workflow_id}
    if row.workflow_started and workflow.status == FIRST_STEP:
        workflow.status = "prepare"
        return {"workflow_reset": workflow_id}
    return {"workflow_left": workflow_id}
