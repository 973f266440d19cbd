"""Taking back a placement: what an undone staff action had done is undone, not left behind.

A placement files a document in the relation's dossier (making the year folder when it is the
first of that year), makes or joins a workflow and passes the return's payment facts to it
(amount due, iDEAL, a betalingskenmerk made from the return's own number), may move it to its
first step, and writes timeline lines that link to the return; "Nummer toevoegen aan deze
relatie en plaatsen" also puts the return's number on the relation. Undoing it (issue 22, item
4) removes the document (and a year folder left empty), removes the workflow when the placement
made it and nothing else is in it (a planned or shared workflow keeps existing, loses the return,
goes back to ``prepare`` when the return had started it, and has its payment facts recomputed
from the returns still in it), removes the placement's timeline lines, and takes the number
back: off the relation when the action put it there, or to its earlier SBR settings, unless a
later return was placed with it (then it stays, and the history says so). The relation is then
as it was; the return's own history keeps what was undone and by whom. Effects not yet run find
the return no longer matched and do nothing (``inbox.effects``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from crm.edits import remove_fiscal_number, restore_sbr_settings
from crm.timeline import lines_since, timeline_mark
from inbox.effects import FIRST_STEP
from inbox.placement import recompute_payment_facts
from models import (
    Document,
    DossierFolder,
    InboxReturn,
    Office,
    Relation,
    ReturnEvent,
    ReturnStatus,
    TimelineEvent,
    Workflow,
    WorkflowSource,
)
from sbr_parser import IdentifierType

__all__ = ["take_back_placement"]

# The timeline lines a placement's effects write, linked to the return by ``refs.return_id``.
_PLACEMENT_LINES = ("workflow_started", "return_filed")


def take_back_placement(
    session: Session, row: InboxReturn, undone: ReturnEvent, *, actor: str
) -> dict[str, Any]:
    """Undo the effects of ``row``'s placement, which history line ``undone`` made (call
    before the return's decision columns are reset); returns what was reversed, for the
    return's history."""
    relation_id, workflow_id = row.relation_id, row.workflow_id
    if relation_id is None:
        return {}
    reversed_: dict[str, Any] = {}
    document = session.scalar(select(Document).where(Document.return_id == row.id))
    if document is not None:
        reversed_["document_removed"] = document.name
        folder_id = document.folder_id
        session.delete(document)
        session.flush()
        _remove_if_empty(session, folder_id)
    if workflow_id is not None:
        reversed_.update(_leave_workflow(session, row, workflow_id))
    lines = [
        event
        for event in session.scalars(
            select(TimelineEvent).where(
                TimelineEvent.relation_id == relation_id,
                TimelineEvent.kind.in_(_PLACEMENT_LINES),
            )
        )
        if event.refs.get("return_id") == row.id
    ]
    for event in lines:
        session.delete(event)
    if lines:
        reversed_["timeline_removed"] = len(lines)
    added = undone.detail.get("added")
    if added:
        reversed_.update(_take_back_number(session, row, relation_id, added, actor=actor))
    row.workflow_started = False
    row.filed = False
    return reversed_


def _remove_if_empty(session: Session, folder_id: int | None) -> None:
    """A year folder the filing made and nothing else is in now goes too."""
    if folder_id is None:
        return
    folder = session.get(DossierFolder, folder_id)
    if folder is None or folder.parent_id is None:  # a root of the default tree stays
        return
    used = session.scalar(
        select(
            exists().where(Document.folder_id == folder_id)
            | exists().where(DossierFolder.parent_id == folder_id)
        )
    )
    if not used:
        session.delete(folder)


def _leave_workflow(session: Session, row: InboxReturn, workflow_id: int) -> dict[str, Any]:
    workflow = session.get(Workflow, workflow_id, with_for_update=True)
    if workflow is None:
        return {}
    others = session.scalar(
        select(func.count())
        .select_from(InboxReturn)
        .where(InboxReturn.workflow_id == workflow_id, InboxReturn.id != row.id)
    )
    if not others and workflow.source is WorkflowSource.INBOX:
        # Made by this placement and holding nothing else: it should never have existed.
        row.workflow_id = None
        session.flush()  # the return lets go of it before it goes
        session.delete(workflow)
        return {"workflow_removed": workflow_id}
    # The return's amount, iDEAL and kenmerk were passed on to it: as the others say now.
    recompute_payment_facts(session, workflow, row)
    if not others and row.workflow_started and workflow.status == FIRST_STEP:
        workflow.status = "prepare"
        return {"workflow_reset": workflow_id}
    return {"workflow_left": workflow_id}


def _take_back_number(
    session: Session, row: InboxReturn, relation_id: int, added: dict[str, Any], *, actor: str
) -> dict[str, Any]:
    """The number the undone action put on the relation: off again (or back to its earlier
    SBR settings), with the timeline lines of both changes removed; kept when a later return
    was placed with it."""
    identifier_type = IdentifierType(added["type"])
    value: str = added["value"]
    used = session.scalar(
        select(
            exists().where(
                InboxReturn.relation_id == relation_id,
                InboxReturn.id != row.id,
                InboxReturn.status == ReturnStatus.MATCHED,
                InboxReturn.identifier_type == identifier_type,
                InboxReturn.identifier_normalised == value,
            )
        )
    )
    if used:
        return {"number_kept": value}
    office = session.get(Office, row.office_id)
    assert office is not None  # noqa: S101 - the return's own office
    relation_number = session.scalar(select(Relation.number).where(Relation.id == relation_id))
    assert relation_number is not None  # noqa: S101 - the return was placed there
    since = timeline_mark(session, relation_id)
    before = added.get("before")
    if before is None:
        remove_fiscal_number(session, office, relation_number, identifier_type, value, source=actor)
        taken = {"number_removed": value}
    else:
        start = before.get("sbr_start_date")
        restore_sbr_settings(
            session,
            office,
            relation_number,
            identifier_type,
            value,
            enabled=bool(before.get("sbr_enabled")),
            start_date=None if start is None else dt.date.fromisoformat(start),
            source=actor,
        )
        taken = {"number_restored": value}
    # The relation's timeline is as it was: neither the change nor its taking back is on it
    # (the return's history says both).
    written = [*added.get("timeline", []), *lines_since(session, relation_id, since)]
    if written:
        session.execute(
            delete(TimelineEvent).where(TimelineEvent.id.in_(written)),
            execution_options={"synchronize_session": False},
        )
    return taken
