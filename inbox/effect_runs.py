"""Running an effect for a batch of returns, so that one poisoned return never stops the others.

Decisions already had this (``inbox.process``); effects get the same (issue 22, item 1: a
480-character file name made every dossier filing fail, for ever, because the sweeper kept
re-sending the poisoned batch). :func:`run_effects` runs the batch in one transaction; when it
fails with an unexpected error it is rolled back and each return's effect is run on its own, so
the failure is counted on the outbox row of the return that caused it (``failures``, the error
in ``last_error``). At ``max_attempts`` the row is parked (``failed_at``): it is neither retried
nor re-sent by the sweeper, staff see it on the return's page (and may try again), and
``/metrics`` counts it. Transient errors (a lost connection) are raised as they are: they say
nothing about the return, and the caller retries the whole batch later.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from inbox.effects import EFFECT_FUNCTIONS
from inbox.errors import ActionRefusedError
from models import InboxReturn, Office, OutboxMessage, session_scope
from models.base import fit
from models.pending import after_commit_effects

__all__ = ["EffectRun", "retry_parked", "run_effects"]

log = logging.getLogger(__name__)


@dataclass
class EffectRun:
    """What running one effect for a batch did: the returns whose effect ran (or had nothing
    left to do), those that failed and are to be tried again, and those parked just now."""

    done: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    parked: list[int] = field(default_factory=list)


def run_effects(
    engine: Engine,
    task: str,
    return_ids: Sequence[int],
    *,
    max_attempts: int,
    transient: tuple[type[BaseException], ...] = (),
) -> EffectRun:
    """Run effect ``task`` for ``return_ids``: the batch in one transaction, or (when that
    fails) each return in its own, a failure counted on that return's outbox row."""
    run = EffectRun()
    try:
        _run(engine, task, return_ids)
    except transient:
        raise
    except Exception:
        if len(return_ids) > 1:
            log.warning(
                "a batch of %d %s effects failed; running them one by one", len(return_ids), task
            )
        for return_id in return_ids:
            try:
                _run(engine, task, [return_id])
            except transient:
                raise
            except Exception as error:  # counted on this one: never retried for ever
                parked = _count_failure(engine, task, return_id, error, max_attempts)
                (run.parked if parked else run.retry).append(return_id)
            else:
                run.done.append(return_id)
        return run
    run.done.extend(return_ids)
    return run


def _run(engine: Engine, task: str, return_ids: Sequence[int]) -> None:
    with session_scope(engine) as session:
        EFFECT_FUNCTIONS[task](session, return_ids)


def _count_failure(
    engine: Engine, task: str, return_id: int, error: Exception, max_attempts: int
) -> bool:
    """Count a failed run on the effect's row; True when it is not to be tried again (parked,
    or no row to count on: nothing sent it through the outbox)."""
    # The first line only: a database error goes on with the whole statement and its values.
    message = f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error) else ''}"
    with session_scope(engine) as session:
        row = session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.task == task, OutboxMessage.return_id == return_id)
            .with_for_update()
        )
        if row is None or row.done_at is not None or row.failed_at is not None:
            return row is None or row.failed_at is not None
        row.failures += 1
        row.last_error = fit(OutboxMessage.last_error, message)
        if row.failures < max_attempts:
            log.warning(
                "effect %s of return %d failed (attempt %d of %d): %s",
                task,
                return_id,
                row.failures,
                max_attempts,
                type(error).__name__,
            )
            return False
        row.failed_at = func.now()
        log.error(
            "effect %s of return %d parked after %d failed attempts",
            task,
            return_id,
            row.failures,
            exc_info=error,
        )
        return True


def retry_parked(session: Session, office: Office, return_id: int) -> int:
    """Staff try a return's parked effects again (after the cause was mended): they are
    counted from zero and sent after commit. How many were parked; refused when none is."""
    rows = session.scalars(
        select(OutboxMessage)
        .join(InboxReturn, InboxReturn.id == OutboxMessage.return_id)
        .where(
            InboxReturn.office_id == office.id,
            OutboxMessage.return_id == return_id,
            OutboxMessage.failed_at.is_not(None),
        )
        .with_for_update()
    ).all()
    if not rows:
        raise ActionRefusedError(
            f"return {return_id} has no parked effect",
            f"Aangifte {return_id} heeft niets om opnieuw te proberen.",
        )
    for row in rows:
        row.failures = 0
        row.failed_at = None
        row.last_error = None
        row.sent_at = None
    after_commit_effects(session, return_id)
    return len(rows)
