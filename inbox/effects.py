"""The effects of matched returns: start their workflows, file them in the dossier. In batches,
idempotent per return.

Each takes return ids, locks those returns, and does nothing for a return whose effect is done
already (or that is no longer matched), so a task delivered twice, or run again by the sweeper,
has each effect once. A batch costs a handful of statements whatever its size (issue 16: the
effects were half of a return's cost, 8 round trips each): the returns read in one locked
SELECT, the workflows moved in one UPDATE, documents and timeline lines inserted in one
statement each, the outbox marked done in one. Both write a line on the relation's timeline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Row, case, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm.dossier import RETURNS_FOLDER
from inbox.outbox import FILE_IN_DOSSIER, START_WORKFLOW, mark_done
from models import Document, DossierFolder, InboxReturn, ReturnStatus, TimelineEvent, Workflow
from models.base import fit
from models.db import insert_missing

__all__ = [
    "EFFECT_FUNCTIONS",
    "FIRST_STEP",
    "file_in_dossier",
    "file_in_dossiers",
    "start_workflow",
    "start_workflows",
]

# A return in a workflow means "prepare" is done (the software prepared it): review is next.
FIRST_STEP = "review"

_COLUMNS = (
    InboxReturn.id,
    InboxReturn.office_id,
    InboxReturn.relation_id,
    InboxReturn.workflow_id,
    InboxReturn.kind,
    InboxReturn.period_start,
    InboxReturn.period_end,
    InboxReturn.version,
    InboxReturn.file_name,
    InboxReturn.sha256,
    InboxReturn.workflow_started,
    InboxReturn.filed,
)


def start_workflows(session: Session, return_ids: Sequence[int]) -> int:
    """Move each matched return's workflow to its first step; how many were started."""
    rows = [row for row in _matched(session, return_ids) if not row.workflow_started]
    if rows:
        workflow_ids = {row.workflow_id for row in rows}
        # One statement: move the workflows that have not begun to their first step.
        session.execute(
            update(Workflow)
            .where(Workflow.id.in_(workflow_ids))
            .values(status=case((Workflow.status == "prepare", FIRST_STEP), else_=Workflow.status)),
            # Objects of this session (a staff action's) see the new step too.
            execution_options={"synchronize_session": "fetch"},
        )
        ideal = dict(
            session.execute(
                select(Workflow.id, Workflow.ideal_payment).where(Workflow.id.in_(workflow_ids))
            ).all()
        )
        _set(session, [row.id for row in rows], workflow_started=True)
        _timeline(
            session,
            [
                _line(
                    row,
                    "workflow_started",
                    f"Workflow {row.kind} {row.period_start}..{row.period_end} gestart"
                    f"{' met iDEAL-betaling' if ideal.get(row.workflow_id) else ''}"
                    f" (aangifte #{row.id}, versie {row.version})",
                    workflow_id=row.workflow_id,
                )
                for row in rows
            ],
        )
    mark_done(session, START_WORKFLOW, return_ids)
    return len(rows)


def file_in_dossiers(session: Session, return_ids: Sequence[int]) -> int:
    """Store each matched return under ``Aangiften/<year>`` of its relation, office-only; a
    return placed anew by staff has its document moved. How many were filed."""
    rows = _matched(session, return_ids)
    existing = {
        return_id: (document_id, relation_id)
        for document_id, return_id, relation_id in session.execute(
            select(Document.id, Document.return_id, Document.relation_id).where(
                Document.return_id.in_([row.id for row in rows])
            )
        )
    }
    todo = [
        row
        for row in rows
        if not (row.id in existing and existing[row.id][1] == row.relation_id and row.filed)
    ]
    if not todo:
        mark_done(session, FILE_IN_DOSSIER, return_ids)
        return 0
    folders = _year_folders(session, todo)
    new: list[dict[str, Any]] = []
    for row in todo:
        folder_id, _ = folders[(row.relation_id, row.period_end.year)]
        name = _document_name(row)
        if row.id in existing:  # placed anew by staff: the document moves to this dossier
            session.execute(
                update(Document)
                .where(Document.id == existing[row.id][0])
                .values(relation_id=row.relation_id, folder_id=folder_id, name=name),
                execution_options={"synchronize_session": False},
            )
        else:
            new.append(
                {
                    "office_id": row.office_id,
                    "relation_id": row.relation_id,
                    "folder_id": folder_id,
                    "return_id": row.id,
                    "name": name,
                    "client_visible": False,
                    "meta": {"sha256": row.sha256, "kind": row.kind},
                }
            )
    if new:
        session.execute(insert(Document), new)
    _set(session, [row.id for row in todo], filed=True)
    _timeline(
        session,
        [
            _line(
                row,
                "return_filed",
                f"Aangifte {row.kind} {row.period_start}..{row.period_end} gearchiveerd in "
                f"{RETURNS_FOLDER}/{folders[(row.relation_id, row.period_end.year)][1]}",
            )
            for row in todo
        ],
    )
    mark_done(session, FILE_IN_DOSSIER, return_ids)
    return len(todo)


def _document_name(row: Row[Any]) -> str:
    """The document's name, fitted to its column: the file name is the sender's (up to 500
    characters), so it is what gives way."""
    return fit(
        Document.name,
        f"{row.kind} {row.period_start}..{row.period_end} v{row.version} ({row.file_name})",
        keep_end=1,
    )


def start_workflow(session: Session, return_id: int) -> bool:
    """One return's :func:`start_workflows`; False when there was nothing to do."""
    return start_workflows(session, [return_id]) > 0


def file_in_dossier(session: Session, return_id: int) -> bool:
    """One return's :func:`file_in_dossiers`; False when there was nothing to do."""
    return file_in_dossiers(session, [return_id]) > 0


def _matched(session: Session, return_ids: Sequence[int]) -> list[Row[Any]]:
    """The returns among ``return_ids`` that are matched, locked, in id order."""
    return list(
        session.execute(
            select(*_COLUMNS)
            .where(InboxReturn.id.in_(return_ids), InboxReturn.status == ReturnStatus.MATCHED)
            .order_by(InboxReturn.id)
            .with_for_update()
        )
    )


def _set(session: Session, return_ids: list[int], **values: bool) -> None:
    session.execute(
        update(InboxReturn).where(InboxReturn.id.in_(return_ids)).values(**values),
        execution_options={"synchronize_session": "fetch"},
    )


def _line(row: Row[Any], kind: str, text: str, **refs: Any) -> dict[str, Any]:
    return {
        "office_id": row.office_id,
        "relation_id": row.relation_id,
        "kind": kind,
        "text": text,
        "refs": {"return_id": row.id, **refs},
    }


def _timeline(session: Session, lines: list[dict[str, Any]]) -> None:
    if lines:
        session.execute(insert(TimelineEvent), lines)


def _year_folders(session: Session, rows: list[Row[Any]]) -> dict[tuple[int, int], tuple[int, str]]:
    """(relation, year) -> the id and name of ``Aangiften/<year>``, made when missing (safe
    under concurrency): one query for those that exist, and for a batch with new years one
    INSERT ... ON CONFLICT DO NOTHING for them all and one query to read them back."""
    relation_ids = {row.relation_id for row in rows}
    roots = dict(
        session.execute(
            select(DossierFolder.relation_id, DossierFolder.id).where(
                DossierFolder.relation_id.in_(relation_ids),
                DossierFolder.parent_id.is_(None),
                DossierFolder.name == RETURNS_FOLDER,
            )
        ).all()
    )
    for row in rows:  # a relation without the default tree (rare): its root, one by one
        if row.relation_id not in roots:
            roots[row.relation_id] = _folder(
                session, row.office_id, row.relation_id, None, RETURNS_FOLDER
            )

    def existing() -> dict[tuple[int, int], tuple[int, str]]:
        return {
            (relation_id, int(name)): (folder_id, name)
            for relation_id, folder_id, name in session.execute(
                select(DossierFolder.relation_id, DossierFolder.id, DossierFolder.name).where(
                    DossierFolder.relation_id.in_(relation_ids),
                    DossierFolder.parent_id.in_(roots.values()),
                )
            )
            if name.isdecimal()
        }

    years = existing()
    missing = {
        (row.relation_id, row.period_end.year): row.office_id
        for row in rows
        if (row.relation_id, row.period_end.year) not in years
    }
    if missing:
        session.execute(
            insert_missing(session, DossierFolder, ("relation_id", "parent_id", "name")),
            [
                {
                    "office_id": office_id,
                    "relation_id": relation_id,
                    "parent_id": roots[relation_id],
                    "name": str(year),
                    "client_visible": False,
                }
                for (relation_id, year), office_id in sorted(missing.items())
            ],
        )
        years = existing()
    return years


def _folder(
    session: Session, office_id: int, relation_id: int, parent_id: int | None, name: str
) -> int:
    """The folder's id, made now if missing (another worker may make it at the same moment)."""

    def find() -> int | None:
        found: int | None = session.scalar(
            select(DossierFolder.id).where(
                DossierFolder.relation_id == relation_id,
                DossierFolder.parent_id.is_(None)
                if parent_id is None
                else DossierFolder.parent_id == parent_id,
                DossierFolder.name == name,
            )
        )
        return found

    folder_id = find()
    if folder_id is not None:
        return folder_id
    try:
        with session.begin_nested():
            folder = DossierFolder(
                office_id=office_id,
                relation_id=relation_id,
                parent_id=parent_id,
                name=name,
                client_visible=False,
            )
            session.add(folder)
        return folder.id
    except IntegrityError:
        folder_id = find()
        if folder_id is None:
            raise
        return folder_id


# Outbox task name -> the effect for a batch of return ids; the Celery tasks and the embedded
# runner both use this.
EFFECT_FUNCTIONS: dict[str, Callable[[Session, Sequence[int]], int]] = {
    START_WORKFLOW: start_workflows,
    FILE_IN_DOSSIER: file_in_dossiers,
}
