"""Reading returns: the docs/contracts.md record, lists with filters, one return with its history.

Every function takes the office and filters by it first (the review API exposes them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from crm.queries import relation_matches
from inbox.errors import ReturnNotFoundError
from inbox.records import CandidateRecord, HistoryRecord, ReturnDetail, ReturnRecord
from matching.candidates import find_candidates, likely_owners
from matching.codes import RelationType
from matching.decide import Candidate
from matching.rules import KIND_RULES
from models import InboxReturn, Office, RawMessage, Relation, ReturnEvent, ReturnStatus
from planner.queries import list_workflows
from sbr_parser import IdentifierType, ReturnKind

__all__ = [
    "MAX_RETURN_ID",
    "check_return_id",
    "count_by_status_and_reason",
    "get_return",
    "history",
    "history_records",
    "list_returns",
    "raw_message",
    "return_detail",
    "return_record",
]


def return_record(row: InboxReturn, office_code: str, relation_number: str | None) -> ReturnRecord:
    """The ``returns list --json`` record of docs/contracts.md, plus added fields."""
    return ReturnRecord(
        id=row.id,
        office=office_code,
        file=row.file_name,
        sha256=row.sha256,
        status=row.status.value,
        reason=row.reason,
        kind=None if row.kind is None else row.kind.value,
        identifier=row.identifier,
        period_start=None if row.period_start is None else row.period_start.isoformat(),
        period_end=None if row.period_end is None else row.period_end.isoformat(),
        relation_number=relation_number,
        version=row.version,
        workflow_id=row.workflow_id,
        workflow_started=row.workflow_started,
        filed=row.filed,
        duplicate_of=row.duplicate_of_id,
        identifier_type=None if row.identifier_type is None else row.identifier_type.value,
        identifier_normalised=row.identifier_normalised,
        explanation_nl=row.explanation_nl,
        explanation_en=row.explanation_en,
        received_at=row.received_at.isoformat() if row.received_at else None,
        decided_at=row.decided_at.isoformat() if row.decided_at else None,
    )


def _records(
    session: Session, office: Office, statement: Select[InboxReturn, str]
) -> list[ReturnRecord]:
    return [return_record(row, office.code, number) for row, number in session.execute(statement)]


def _base(office: Office) -> Select[InboxReturn, str]:
    return (
        select(InboxReturn, Relation.number)
        .outerjoin(Relation, Relation.id == InboxReturn.relation_id)
        .where(InboxReturn.office_id == office.id)
    )


def list_returns(
    session: Session,
    office: Office,
    *,
    status: ReturnStatus | None = None,
    reason: str | None = None,
    kind: ReturnKind | None = None,
    query: str | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[ReturnRecord]:
    """The office's returns, oldest first, filtered; ``query`` matches identifier or relation."""
    statement = _base(office).order_by(InboxReturn.id)
    if status is not None:
        statement = statement.where(InboxReturn.status == status)
    if reason is not None:
        statement = statement.where(InboxReturn.reason == reason)
    if kind is not None:
        statement = statement.where(InboxReturn.kind == kind)
    if period_start is not None:
        statement = statement.where(InboxReturn.period_start == period_start)
    if period_end is not None:
        statement = statement.where(InboxReturn.period_end == period_end)
    if query:
        pattern = f"%{query.strip()}%"
        statement = statement.where(
            or_(
                InboxReturn.identifier.ilike(pattern),
                InboxReturn.identifier_normalised.ilike(pattern),
                relation_matches(query),
            )
        )
    if limit is not None:
        statement = statement.limit(limit).offset(offset)
    return _records(session, office, statement)


#: Ids are 32-bit integers in the database; a larger number is no return of anyone's (asking
#: PostgreSQL for it would be an error, not an empty answer).
MAX_RETURN_ID = 2**31 - 1


def check_return_id(office: Office, return_id: int) -> None:
    if not 1 <= return_id <= MAX_RETURN_ID:
        raise ReturnNotFoundError(f"office {office.code!r} has no return {return_id}")


def get_return(session: Session, office: Office, return_id: int) -> ReturnRecord:
    """One of the office's returns as a record, or :class:`ReturnNotFoundError`."""
    check_return_id(office, return_id)
    found = _records(session, office, _base(office).where(InboxReturn.id == return_id))
    if not found:
        raise ReturnNotFoundError(f"office {office.code!r} has no return {return_id}")
    return found[0]


def history(session: Session, office: Office, return_id: int) -> Sequence[ReturnEvent]:
    """Every decision on one of the office's returns, oldest first."""
    return session.scalars(
        select(ReturnEvent)
        .where(ReturnEvent.office_id == office.id, ReturnEvent.return_id == return_id)
        .order_by(ReturnEvent.id)
    ).all()


def history_records(session: Session, office: Office, return_id: int) -> list[HistoryRecord]:
    """The history as JSON-ready records (``returns show --json``, the API and the page)."""
    return [
        HistoryRecord(
            at=event.at.isoformat(),
            actor=event.actor,
            trigger=event.trigger,
            rule=event.rule,
            status=event.status.value,
            reason=event.reason,
            remark=event.remark,
            explanation_nl=event.explanation_nl,
            explanation_en=event.explanation_en,
            detail=event.detail,
        )
        for event in history(session, office, return_id)
    ]


def raw_message(session: Session, office: Office, return_id: int) -> bytes:
    """The bytes of one of the office's returns, exactly as received."""
    check_return_id(office, return_id)
    data = session.scalar(
        select(RawMessage.data)
        .join(InboxReturn, InboxReturn.message_id == RawMessage.id)
        .where(InboxReturn.office_id == office.id, InboxReturn.id == return_id)
    )
    if data is None:
        raise ReturnNotFoundError(f"office {office.code!r} has no return {return_id}")
    return data


def count_by_status_and_reason(session: Session, office: Office) -> dict[tuple[str, str], int]:
    """How many of the office's returns are in each (status, reason)."""
    rows = session.execute(
        select(InboxReturn.status, InboxReturn.reason, func.count())
        .where(InboxReturn.office_id == office.id)
        .group_by(InboxReturn.status, InboxReturn.reason)
    )
    return {(status.value, reason or ""): count for status, reason, count in rows}


def return_detail(session: Session, office: Office, return_id: int) -> ReturnDetail:
    """A return's record, its history and the relations holding its number (API and page)."""
    record = get_return(session, office, return_id)
    row = session.get(InboxReturn, return_id)
    candidates: list[CandidateRecord] = []
    if row is not None and row.kind is not None and row.identifier_normalised:
        identifier_type = KIND_RULES[row.kind].identifier_type
        number = row.identifier_normalised
        candidates = [
            _candidate_record(c, identifier_type, number)
            for c in find_candidates(session, office.id, identifier_type, number)
        ]
        if not candidates and identifier_type is IdentifierType.OB:
            # Nobody holds the OB number: offer the person whose BSN it carries (by that
            # BSN), then the businesses linked to the person (for the number they would get).
            candidates = [
                _candidate_record(c, IdentifierType.BSN_RSIN, number[:9], likely_owner=True)
                if c.relation_type is RelationType.PERSON
                else _candidate_record(c, IdentifierType.OB, number, likely_owner=True)
                for c in likely_owners(session, office.id, number)
            ]
    return ReturnDetail(
        **record.model_dump(),
        history=history_records(session, office, return_id),
        candidates=candidates,
        raw_url=f"/api/offices/{office.code}/returns/{return_id}/raw",
        workflow=next(iter(list_workflows(session, office, [record.workflow_id])), None)
        if record.workflow_id is not None
        else None,
    )


def _candidate_record(
    candidate: Candidate,
    identifier_type: IdentifierType,
    identifier: str,
    *,
    likely_owner: bool = False,
) -> CandidateRecord:
    return CandidateRecord(
        relation_number=candidate.relation_number,
        name=candidate.relation_name,
        type=candidate.relation_type.value,
        sbr_enabled=candidate.sbr_enabled,
        sbr_start_date=None
        if candidate.sbr_start_date is None
        else candidate.sbr_start_date.isoformat(),
        identifier_type=identifier_type.value,
        identifier=identifier,
        likely_owner=likely_owner,
    )
