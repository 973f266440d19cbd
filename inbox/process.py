"""Processing received returns: duplicate check, parse, match, decide. Idempotent by id.

A worker decides returns in batches (:func:`process_batch`, issue 16): it claims up to
``PROCESS_BATCH`` waiting returns with ``FOR UPDATE SKIP LOCKED`` (no two workers take the same
one, none waits for another), decides them in one transaction with a few statements for the
whole batch (:func:`decide_claimed`), and commits once; the effects of the placed ones go out
after the commit as one task per effect. ``process_return`` decides one return the same way;
it does nothing to a return that is no longer ``received``.

A batch that fails is rolled back and its returns are decided one by one
(``process_or_count_failure``): an unexpected error (a bug, or a value the parser let through
that the database refuses) is counted on the return that caused it; at ``max_attempts`` the
return is ``rejected`` with reason ``internal`` and the error logged once with its traceback.
A poison return thus ends, and never holds up the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import NamedTuple

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, aliased

from inbox.deciding import decisions_for
from inbox.decisions import (
    SYSTEM,
    apply_decision,
    one_moment,
    record_event,
    set_state,
)
from inbox.dispatch import Dispatched, unit_of_work
from inbox.placement import forget_prepared, prepare_workflows
from inbox.rejections import rejection_sentences
from models import IS_WAITING, InboxReturn, RawMessage, ReturnStatus, session_scope
from sbr_parser import ParsedReturn, parse_message

__all__ = [
    "INTERNAL",
    "PROCESS_BATCH",
    "ProcessOutcome",
    "claim",
    "decide_claimed",
    "pending_return_ids",
    "process_batch",
    "process_or_count_failure",
    "process_return",
]

log = logging.getLogger(__name__)
#: The reason of a return rejected because processing it kept failing (not the sender's fault).
INTERNAL = "internal"
#: Returns one process task decides in one transaction (issue 16: one commit and one effect task
#: per batch instead of per return). bench/pipeline.py, 3,000 returns, 1 / 2 worker processes:
#: 50 -> 300 / 522 returns/s, 100 -> 459 / 739, 200 -> 377 / 784; 100 also bounds what a
#: batch holds (at most 100 prefetched messages) and what a failed batch retries one by one.
PROCESS_BATCH = 100
#: Messages up to this size are read for the whole batch in one query (typical returns are
#: 5-20 KB; a 2 MB one is read when its turn comes).
PREFETCH_MAX_BYTES = 256 * 1024


class ProcessOutcome(NamedTuple):
    """What processing one id did (``changed`` is False when it was already decided).

    ``failed`` is True when this attempt raised and the return is still ``received``, to be
    tried again (it is rejected as ``internal`` instead at the last attempt).
    """

    return_id: int
    status: ReturnStatus | None
    changed: bool
    failed: bool = False


def pending_return_ids(session: Session, limit: int = 1000) -> list[int]:
    """Ids of returns waiting to be processed, oldest first."""
    return list(
        session.scalars(
            select(InboxReturn.id).where(IS_WAITING).order_by(InboxReturn.id).limit(limit)
        )
    )


def process_return(session: Session, return_id: int, *, max_bytes: int) -> ProcessOutcome:
    """Decide one received return; a no-op for any other state."""
    row = session.get(InboxReturn, return_id, with_for_update=True)
    if row is None or row.status is not ReturnStatus.RECEIVED:
        return ProcessOutcome(return_id, None if row is None else row.status, False)
    [outcome] = decide_claimed(session, [row], max_bytes=max_bytes)
    return outcome


def decide_claimed(
    session: Session, rows: Sequence[InboxReturn], *, max_bytes: int
) -> list[ProcessOutcome]:
    """Decide received returns this transaction holds locked: each is marked a duplicate,
    rejected as unreadable, or parsed and matched.

    The rows' messages, duplicate checks, candidates and workflows are read in one query each
    however many rows there are, and their decisions, history and outbox rows written with the
    commit (issue 16). The outcome is the same for a return in a batch as on its own.
    """
    originals = _first_deliveries(session, rows)
    messages = _messages(session, rows)
    readable: list[InboxReturn] = []
    # Nothing is flushed until the end: the rows' changes go out together (the queries in
    # between do not read what this batch writes). One moment for a batch's stamps: it costs a
    # query, which pays off when there are several UPDATEs to send as one.
    with session.no_autoflush, one_moment(session) if len(rows) > 1 else nullcontext():
        for row in rows:
            original = originals.get(row.id)
            if original is not None:
                _mark_duplicate(session, row, original)
            elif _read(session, row, messages.get(row.message_id), max_bytes=max_bytes):
                readable.append(row)
        decisions = decisions_for(session, readable)
        prepare_workflows(
            session,
            [
                (row, decision)
                for row, decision in zip(readable, decisions, strict=True)
                if decision is not None and decision.matched
            ],
        )
        try:
            for row, decision in zip(readable, decisions, strict=True):
                if decision is not None:
                    apply_decision(session, row, decision, actor=SYSTEM, trigger="received")
        finally:
            forget_prepared(session)
    session.flush()  # the batch's writes, together: executemany and multi-row INSERTs
    return [ProcessOutcome(row.id, row.status, True) for row in rows]


def _mark_duplicate(session: Session, row: InboxReturn, original: int) -> None:
    """The first delivery of these bytes is the return; this one creates nothing new."""
    set_state(
        row,
        ReturnStatus.DUPLICATE,
        None,
        f"Dezelfde aangifte is al ontvangen als #{original}.",
        f"The same return was received before as #{original}.",
        duplicate_of_id=original,
    )
    record_event(session, row, actor=SYSTEM, trigger="received", detail={"first": original})


def _read(session: Session, row: InboxReturn, data: bytes | None, *, max_bytes: int) -> bool:
    """Parse the return's message into its columns; False (and rejected) when unreadable."""
    if data is None:
        data = session.scalars(select(RawMessage.data).where(RawMessage.id == row.message_id)).one()
    result = parse_message(data, filename=row.file_name, max_bytes=max_bytes)
    row.kind = result.kind
    row.identifier = result.identifier
    row.identifier_type = result.identifier_type
    row.taxonomy = None if result.taxonomy is None else result.taxonomy.reference
    if not isinstance(result, ParsedReturn):
        nl, en = rejection_sentences(result)
        set_state(row, ReturnStatus.REJECTED, result.reason.value, nl, en)
        record_event(session, row, actor=SYSTEM, trigger="received")
        return False
    row.identifier_normalised = result.identifier_normalised
    row.identifier_valid = result.identifier_valid
    row.period_start = result.period_start
    row.period_end = result.period_end
    row.amount_due = result.amount_due
    return True


def process_or_count_failure(
    engine: Engine,
    return_id: int,
    *,
    max_bytes: int,
    max_attempts: int,
    transient: tuple[type[BaseException], ...] = (),
    dispatched: Dispatched | None = None,
) -> ProcessOutcome:
    """Process one return in its own unit of work (a placed return's effects are handed on
    after the commit); count an unexpected error against it.

    ``transient`` errors (a lost database connection, with a broker to retry later) are raised
    as they are and not counted: they say nothing about the return.
    """
    try:
        with unit_of_work(engine, dispatched) as session:
            return process_return(session, return_id, max_bytes=max_bytes)
    except transient:
        raise
    except Exception as error:  # anything else: count it, so that no return is retried forever
        with session_scope(engine) as session:
            return _count_failure(session, return_id, error, max_attempts)


def process_batch(
    engine: Engine,
    return_id: int | None,
    *,
    max_bytes: int,
    max_attempts: int,
    limit: int = PROCESS_BATCH,
    transient: tuple[type[BaseException], ...] = (),
    dispatched: Dispatched | None = None,
    on_full: Callable[[], None] | None = None,
) -> list[ProcessOutcome]:
    """Decide ``return_id`` (None: none in particular) and the oldest other waiting returns,
    up to ``limit`` in all, in one unit of work; their effects are handed on together after
    the one commit. Returns are claimed with ``FOR UPDATE SKIP LOCKED``: workers never take
    the same one, and never wait for each other.

    ``on_full`` is called once a full batch is claimed, before it is decided: more may be
    waiting, and another worker can start on them now (the Celery task sends itself again).

    A batch that fails (one poisoned return makes the transaction fail) is rolled back whole
    and each of its returns is then processed on its own, counted as
    :func:`process_or_count_failure` does: the poisoned one is isolated and recorded, the
    others are decided. Nothing waits for a batch to fill: what waits now goes now.
    """
    ids: list[int] = []
    try:
        with unit_of_work(engine, dispatched) as session:
            rows = claim(session, first=return_id, limit=limit)
            ids = [row.id for row in rows]
            if len(rows) >= limit and on_full is not None:
                on_full()
            return decide_claimed(session, rows, max_bytes=max_bytes)
    except transient:
        raise
    except Exception:  # isolate: each on its own, a failure counted against that one only
        if not ids:
            raise  # the claim itself failed: nothing to isolate
        log.warning("a batch of %d returns failed; deciding them one by one", len(ids))
        return [
            process_or_count_failure(
                engine,
                i,
                max_bytes=max_bytes,
                max_attempts=max_attempts,
                transient=transient,
                dispatched=dispatched,
            )
            for i in ids
        ]


def claim(session: Session, *, first: int | None, limit: int) -> list[InboxReturn]:
    """``first`` (when it still waits and no other transaction holds it) and the oldest other
    waiting returns, up to ``limit`` in all, locked for this transaction; rows another
    transaction holds are skipped, not waited for. One query each."""
    rows: list[InboxReturn] = []
    if first is not None:
        own = session.get(InboxReturn, first, with_for_update={"skip_locked": True})
        if own is not None and own.status is ReturnStatus.RECEIVED:
            rows.append(own)
    if limit > len(rows):
        rows += session.scalars(
            select(InboxReturn)
            .where(IS_WAITING, InboxReturn.id != (first or 0))
            .order_by(InboxReturn.id)
            .limit(limit - len(rows))
            .with_for_update(skip_locked=True)
        ).all()
    return rows


def _first_deliveries(session: Session, rows: Sequence[InboxReturn]) -> dict[int, int | None]:
    """For the rows in one query: the first earlier delivery of the same bytes in the office
    that is the return itself (not a duplicate), or None."""
    earlier = aliased(InboxReturn)
    first = (
        select(func.min(earlier.id))
        .where(
            earlier.office_id == InboxReturn.office_id,
            earlier.sha256 == InboxReturn.sha256,
            earlier.id < InboxReturn.id,
            earlier.status != ReturnStatus.DUPLICATE,
        )
        .scalar_subquery()
    )
    return dict(
        session.execute(
            select(InboxReturn.id, first).where(InboxReturn.id.in_([row.id for row in rows]))
        ).all()
    )


def _messages(session: Session, rows: Sequence[InboxReturn]) -> dict[int, bytes]:
    """A batch's message bytes in one query, by message id. Only ordinary-sized messages: a
    large one is read when its turn comes, so a batch never holds more than
    ``PREFETCH_MAX_BYTES`` a message at once."""
    return dict(
        session.execute(
            select(RawMessage.id, RawMessage.data).where(
                RawMessage.id.in_({row.message_id for row in rows}),
                func.length(RawMessage.data) <= PREFETCH_MAX_BYTES,
            )
        ).all()
    )


def _count_failure(
    session: Session, return_id: int, error: Exception, max_attempts: int
) -> ProcessOutcome:
    row = session.get(InboxReturn, return_id, with_for_update=True)
    if row is None or row.status is not ReturnStatus.RECEIVED:
        return ProcessOutcome(return_id, None if row is None else row.status, False)
    attempts = row.attempts + 1
    row.attempts = attempts
    name = type(error).__name__
    if attempts < max_attempts:
        # One line per attempt; the traceback once, below, when the return is given up on.
        log.warning(
            "return %d: processing failed (attempt %d of %d): %s",
            row.id,
            attempts,
            max_attempts,
            name,
        )
        return ProcessOutcome(return_id, ReturnStatus.RECEIVED, False, failed=True)
    log.error(
        "return %d: rejected as internal after %d failed attempts",
        row.id,
        attempts,
        exc_info=error,
    )
    set_state(
        row,
        ReturnStatus.REJECTED,
        INTERNAL,
        f"De aangifte kon door een interne fout niet worden verwerkt ({attempts} pogingen, "
        f"{name}). De beheerder kan de fout in het logboek vinden.",
        f"Processing failed with an internal error ({attempts} attempts, {name}); the error "
        "is in the worker's log.",
    )
    record_event(
        session, row, actor=SYSTEM, trigger="received", detail={"error": name, "attempts": attempts}
    )
    return ProcessOutcome(return_id, row.status, True)
