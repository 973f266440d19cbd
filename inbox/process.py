"""Processing a received return: duplicate check, parse, match, decide. Idempotent by id.

``process_return`` does nothing to a return that is no longer ``received``, and takes the row
with a lock (``FOR UPDATE`` on PostgreSQL), so a task delivered twice, or two workers at once,
decide it exactly once.

``process_or_count_failure`` is what the Celery task and the embedded runner call: an
unexpected error (a bug, or a value the parser let through that the database refuses) rolls
the attempt back and counts it on the return; at ``max_attempts`` the return is ``rejected``
with reason ``internal`` and the error logged once with its traceback. A poison return thus
ends, and never holds up the others, which run in their own transactions.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, NamedTuple

from sqlalchemy import Engine, ScalarSelect, func, select
from sqlalchemy.orm import Session, aliased

from inbox.decisions import SYSTEM, apply_decision, facts_of, record_event, set_state
from inbox.dispatch import Dispatched, unit_of_work
from inbox.rejections import rejection_sentences
from matching.candidates import find_candidates, likely_owners
from matching.codes import UnmatchedReason
from matching.decide import Decision, decide
from matching.rules import KIND_RULES
from matching.sentences import likely_owner_sentences
from models import InboxReturn, RawMessage, ReturnStatus, session_scope
from sbr_parser import IdentifierType, ParsedReturn, parse_message

__all__ = [
    "INTERNAL",
    "PROCESS_BATCH",
    "ProcessOutcome",
    "decide_stored",
    "decision_for",
    "pending_return_ids",
    "process_batch",
    "process_or_count_failure",
    "process_return",
]

log = logging.getLogger(__name__)
#: The reason of a return rejected because processing it kept failing (not the sender's fault).
INTERNAL = "internal"
#: Returns one process task decides in one transaction: its own and up to this many more that
#: wait (issue 16: one commit and one effect task per batch instead of per return).
PROCESS_BATCH = 50
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
            select(InboxReturn.id)
            .where(InboxReturn.status == ReturnStatus.RECEIVED)
            .order_by(InboxReturn.id)
            .limit(limit)
        )
    )


def process_return(session: Session, return_id: int, *, max_bytes: int) -> ProcessOutcome:
    """Decide one received return; a no-op for any other state."""
    row = session.get(InboxReturn, return_id, with_for_update=True)
    if row is None or row.status is not ReturnStatus.RECEIVED:
        return ProcessOutcome(return_id, None if row is None else row.status, False)
    known: dict[int, int | None] = session.info.get("originals", {})
    if row.id in known:
        original = known.pop(row.id)
    else:
        original = session.scalar(select(_first_delivery(row.office_id, row.sha256, row.id)))
    if original is not None:
        # The first delivery of these bytes is the return; this one creates nothing new.
        set_state(
            row,
            ReturnStatus.DUPLICATE,
            None,
            f"Dezelfde aangifte is al ontvangen als #{original}.",
            f"The same return was received before as #{original}.",
            duplicate_of_id=original,
        )
        record_event(session, row, actor=SYSTEM, trigger="received", detail={"first": original})
        return ProcessOutcome(return_id, row.status, True)
    prefetched: dict[int, bytes] = session.info.get("raw_messages", {})
    data = prefetched.pop(row.message_id, None)
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
        return ProcessOutcome(return_id, row.status, True)
    row.identifier_normalised = result.identifier_normalised
    row.identifier_valid = result.identifier_valid
    row.period_start = result.period_start
    row.period_end = result.period_end
    row.amount_due = result.amount_due
    # The parsed fields are written with the decision, in one UPDATE, not flushed before the
    # candidate query (a round trip less per return).
    with session.no_autoflush:
        decide_stored(session, row, trigger="received")
    return ProcessOutcome(return_id, row.status, True)


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
    return_id: int,
    *,
    max_bytes: int,
    max_attempts: int,
    limit: int = PROCESS_BATCH,
    transient: tuple[type[BaseException], ...] = (),
    dispatched: Dispatched | None = None,
) -> list[ProcessOutcome]:
    """Decide ``return_id`` and up to ``limit - 1`` other waiting returns in one unit of work
    (the others claimed with ``FOR UPDATE SKIP LOCKED``, so workers never take the same one);
    their effects are handed on together after the one commit.

    A batch that fails (one poisoned return makes the transaction fail) is rolled back whole
    and each of its returns is then processed on its own, counted as
    :func:`process_or_count_failure` does: the poisoned one is isolated and recorded, the
    others are decided. Nothing waits for a batch to fill: the task's own return goes now.
    """
    ids = [return_id]
    try:
        with unit_of_work(engine, dispatched) as session:
            ids += claim_waiting(session, exclude=return_id, limit=limit - 1)
            if len(ids) > 1:
                # Worth a query each only for a batch: a task whose return an earlier batch
                # decided, with nothing else waiting, costs two statements, not four.
                _prefetch_messages(session, ids)
                _prefetch_duplicates(session, ids)
            return [process_return(session, i, max_bytes=max_bytes) for i in ids]
    except transient:
        raise
    except Exception:  # isolate: each on its own, a failure counted against that one only
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


def _first_delivery(office_id: Any, sha256: Any, before: Any) -> ScalarSelect[int | None]:
    """The first earlier delivery of the same bytes in the office that is the return itself
    (not a duplicate), as a scalar subquery; the arguments may be columns (for a batch)."""
    earlier = aliased(InboxReturn)
    return (
        select(func.min(earlier.id))
        .where(
            earlier.office_id == office_id,
            earlier.sha256 == sha256,
            earlier.id < before,
            earlier.status != ReturnStatus.DUPLICATE,
        )
        .scalar_subquery()
    )


def _prefetch_duplicates(session: Session, return_ids: list[int]) -> None:
    """For the whole batch in one query: which return's bytes were delivered before."""
    session.info["originals"] = dict(
        session.execute(
            select(
                InboxReturn.id,
                _first_delivery(InboxReturn.office_id, InboxReturn.sha256, InboxReturn.id),
            ).where(InboxReturn.id.in_(return_ids))
        ).all()
    )


def _prefetch_messages(session: Session, return_ids: list[int]) -> None:
    """The batch's message bytes in one query (process_return takes each from here, and the
    memory goes with it). Only ordinary-sized messages: a batch of large ones is read one by
    one, so a batch never holds more than ``PREFETCH_MAX_BYTES`` a message at once."""
    session.info["raw_messages"] = dict(
        session.execute(
            select(RawMessage.id, RawMessage.data)
            .join(InboxReturn, InboxReturn.message_id == RawMessage.id)
            .where(
                InboxReturn.id.in_(return_ids),
                func.length(RawMessage.data) <= PREFETCH_MAX_BYTES,
            )
        ).all()
    )


def claim_waiting(session: Session, *, exclude: int, limit: int) -> list[int]:
    """Up to ``limit`` waiting returns other than ``exclude``, oldest first, locked for this
    transaction; rows another transaction holds are skipped, not waited for."""
    if limit <= 0:
        return []
    return list(
        session.scalars(
            select(InboxReturn.id)
            .where(InboxReturn.status == ReturnStatus.RECEIVED, InboxReturn.id != exclude)
            .order_by(InboxReturn.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
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


def decision_for(session: Session, row: InboxReturn) -> Decision | None:
    """What the rules decide now for a stored return (None if it was never read as one)."""
    facts = facts_of(row)
    if facts is None:
        return None
    identifier_type = KIND_RULES[facts.kind].identifier_type
    candidates = find_candidates(session, row.office_id, identifier_type, facts.identifier)
    decision = decide(facts, candidates)
    if decision.reason is UnmatchedReason.NO_RELATION and identifier_type is IdentifierType.OB:
        owners = likely_owners(session, row.office_id, facts.identifier)
        if owners:
            # Named, never matched: the person's business may hold only its btw-id.
            nl, en = likely_owner_sentences(owners)
            decision = replace(
                decision,
                explanation_nl=f"{decision.explanation_nl} {nl}",
                explanation_en=f"{decision.explanation_en} {en}",
                involved=tuple(owner.relation_number for owner in owners),
            )
    return decision


def decide_stored(
    session: Session, row: InboxReturn, *, trigger: str, detail: dict[str, object] | None = None
) -> bool:
    """Run the rules on a stored, parsed return and apply the result; False if unreadable."""
    decision = decision_for(session, row)
    if decision is None:
        return False
    apply_decision(session, row, decision, actor=SYSTEM, trigger=trigger, detail=detail)
    return True
