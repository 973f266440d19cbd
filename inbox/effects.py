"""The effects of a matched return: start its workflow, file it in the dossier. Idempotent.

Each takes the return id, locks the return, and does nothing if its effect is already done (or
the return is no longer matched), so a task delivered twice, or run again by the sweeper, has
the effect once. Both write a line on the relation's timeline.
"""

from __future__ import annotations

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm.dossier import RETURNS_FOLDER
from crm.timeline import add_timeline_event
from inbox.outbox import FILE_IN_DOSSIER, START_WORKFLOW, mark_done
from models import Document, DossierFolder, InboxReturn, ReturnStatus, Workflow

__all__ = ["EFFECT_FUNCTIONS", "FIRST_STEP", "file_in_dossier", "start_workflow"]

# A return in a workflow means "prepare" is done (the software prepared it): review is next.
FIRST_STEP = "review"


def start_workflow(session: Session, return_id: int) -> bool:
    """Move the return's workflow to its first step; False when there was nothing to do."""
    row = _matched(session, return_id)
    if row is None or row.workflow_started:
        mark_done(session, START_WORKFLOW, return_id)
        return False
    # One statement: move a workflow that has not begun to its first step, and read it back.
    workflow = session.execute(
        update(Workflow)
        .where(Workflow.id == row.workflow_id)
        .values(status=case((Workflow.status == "prepare", FIRST_STEP), else_=Workflow.status))
        .returning(Workflow.id, Workflow.ideal_payment)
    ).one()
    row.workflow_started = True
    assert row.relation_id is not None  # noqa: S101 - a matched return has its relation
    payment = " met iDEAL-betaling" if workflow.ideal_payment else ""
    add_timeline_event(
        session,
        row.office_id,
        row.relation_id,
        "workflow_started",
        f"Workflow {row.kind} {row.period_start}..{row.period_end} gestart{payment}"
        f" (aangifte #{row.id}, versie {row.version})",
        return_id=row.id,
        workflow_id=workflow.id,
    )
    mark_done(session, START_WORKFLOW, return_id)
    return True


def file_in_dossier(session: Session, return_id: int) -> bool:
    """Store the return under ``Aangiften/<year>`` of its relation, office-only."""
    row = _matched(session, return_id)
    if row is None:
        mark_done(session, FILE_IN_DOSSIER, return_id)
        return False
    existing = session.scalar(select(Document).where(Document.return_id == row.id))
    assert row.relation_id is not None  # noqa: S101 - matched
    if existing is not None and existing.relation_id == row.relation_id and row.filed:
        mark_done(session, FILE_IN_DOSSIER, return_id)
        return False
    folder = _year_folder(session, row)
    name = f"{row.kind} {row.period_start}..{row.period_end} v{row.version} ({row.file_name})"
    if existing is None:
        session.add(
            Document(
                office_id=row.office_id,
                relation_id=row.relation_id,
                folder_id=folder.id,
                return_id=row.id,
                name=name,
                client_visible=False,
                meta={"sha256": row.sha256, "kind": row.kind},
            )
        )
    else:  # placed anew by staff: the document moves to the new relation's dossier
        existing.relation_id, existing.folder_id, existing.name = row.relation_id, folder.id, name
    row.filed = True
    add_timeline_event(
        session,
        row.office_id,
        row.relation_id,
        "return_filed",
        f"Aangifte {row.kind} {row.period_start}..{row.period_end} gearchiveerd in "
        f"{RETURNS_FOLDER}/{folder.name}",
        return_id=row.id,
    )
    mark_done(session, FILE_IN_DOSSIER, return_id)
    session.flush()
    return True


def _matched(session: Session, return_id: int) -> InboxReturn | None:
    row = session.get(InboxReturn, return_id, with_for_update=True)
    if row is None or row.status is not ReturnStatus.MATCHED:
        return None
    return row


def _year_folder(session: Session, row: InboxReturn) -> DossierFolder:
    """``Aangiften/<year of the period's end>``, made when missing (safe under concurrency)."""
    assert row.period_end is not None  # noqa: S101 - matched
    year = str(row.period_end.year)
    parent = _folder(session, row, None, RETURNS_FOLDER)
    return _folder(session, row, parent.id, year)


def _folder(session: Session, row: InboxReturn, parent_id: int | None, name: str) -> DossierFolder:
    def find() -> DossierFolder | None:
        return session.scalar(
            select(DossierFolder).where(
                DossierFolder.relation_id == row.relation_id,
                DossierFolder.parent_id.is_(None)
                if parent_id is None
                else DossierFolder.parent_id == parent_id,
                DossierFolder.name == name,
            )
        )

    folder = find()
    if folder is not None:
        return folder
    try:
        with session.begin_nested():
            folder = DossierFolder(
                office_id=row.office_id,
                relation_id=row.relation_id,
                parent_id=parent_id,
                name=name,
                client_visible=False,
            )
            session.add(folder)
        return folder
    except IntegrityError:
        folder = find()
        if folder is None:
            raise
        return folder


# Outbox task name -> the effect; the Celery tasks and the embedded runner both use this.
EFFECT_FUNCTIONS = {START_WORKFLOW: start_workflow, FILE_IN_DOSSIER: file_in_dossier}
