"""The transactional outbox: effects to run, written with the decision that wants them.

A matched return needs two effects, ``start_workflow`` and ``file_in_dossier``. Their rows are
added in the decision's own transaction; whoever runs tasks (the Celery publisher, or the
embedded runner) takes them after commit and marks them sent, then done. Rows never sent, or
sent but never done, are found again by the sweeper: an effect cannot be lost between a commit
and a broker, or in a broker that lost its queue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from models import InboxReturn, OutboxMessage
from models.db import utc_ago
from models.pending import after_commit_effects

__all__ = [
    "EFFECTS",
    "EFFECT_BATCH",
    "FILE_IN_DOSSIER",
    "START_WORKFLOW",
    "add_effects",
    "batches",
    "claim_stale",
    "mark_done",
    "mark_sent",
]

START_WORKFLOW = "start_workflow"
FILE_IN_DOSSIER = "file_in_dossier"
EFFECTS = (START_WORKFLOW, FILE_IN_DOSSIER)
# Returns per effect task: a batch costs a handful of statements whatever its size, and one
# task holds its row locks for as long as it takes.
EFFECT_BATCH = 200


def batches(pending: Iterable[tuple[str, int]]) -> Iterator[tuple[str, list[int]]]:
    """(task, return id) pairs as (task, up to ``EFFECT_BATCH`` return ids), in order."""
    grouped: dict[str, list[int]] = {}
    for task, return_id in pending:
        grouped.setdefault(task, []).append(return_id)
    for task, return_ids in grouped.items():
        for start in range(0, len(return_ids), EFFECT_BATCH):
            yield task, return_ids[start : start + EFFECT_BATCH]


def add_effects(session: Session, row: InboxReturn, *, first_decision: bool) -> None:
    """Queue the effects of a matched return (again, if it was placed before).

    ``first_decision`` skips looking for earlier rows: a return decided for the first time
    has none (one round trip less on the hot path).
    """
    existing = (
        {}
        if first_decision
        else {
            message.task: message
            for message in session.scalars(
                select(OutboxMessage).where(OutboxMessage.return_id == row.id)
            )
        }
    )
    for task in EFFECTS:
        message = existing.get(task)
        if message is None:
            session.add(OutboxMessage(office_id=row.office_id, task=task, return_id=row.id))
        else:
            # Placed anew (a staff assignment after an undo): run the effect for the new place.
            message.sent_at = None
            message.done_at = None
    after_commit_effects(session, row.id)


def claim_stale(
    session: Session, *, older_than: dt.timedelta, limit: int = 500
) -> list[OutboxMessage]:
    """Effects not done (nor parked) ``older_than`` after they were queued (or last re-sent);
    locked.

    The hot path sends effects right after the decision's commit without writing that down
    (one transaction less per return); an effect not done in time is re-sent from here,
    which also covers a send that never happened.
    """
    cutoff = utc_ago(session, older_than)
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.done_at.is_(None),
                # Parked after failing SBR_INBOX_MAX_ATTEMPTS times (inbox.effect_runs): staff
                # decide when it is tried again, the sweeper never does.
                OutboxMessage.failed_at.is_(None),
                OutboxMessage.created_at < cutoff,
                or_(OutboxMessage.sent_at.is_(None), OutboxMessage.sent_at < cutoff),
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def mark_sent(session: Session, ids: Sequence[int]) -> None:
    """Record that the sweeper re-sent these messages (and how often)."""
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(sent_at=func.now(), attempts=OutboxMessage.attempts + 1)
        )


def mark_done(session: Session, task: str, return_ids: Sequence[int]) -> None:
    """Record that an effect has run for these returns (in the effect's own transaction)."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.task == task, OutboxMessage.return_id.in_(return_ids))
        .values(done_at=func.now()),
        execution_options={"synchronize_session": False},
    )
