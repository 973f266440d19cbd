"""Reading returns: the docs/contracts.md record, lists with filters, one return with its history.

Every function takes the office and filters by it first (the review API exposes them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from crm.queries import contains_text, relation_matches
from inbox.errors import ReturnNotFoundError
from inbox.records import (
    CandidateRecord,
    EffectRecord,
    HistoryRecord,
    ReturnDetail,
    ReturnRecord,
)
from matching.candidates import LABEL_COLUMNS, find_candidates, likely_owners, relation_label
from matching.codes import RelationType
from matching.decide import Candidate
from matching.rules import KIND_RULES
from models import (
    FiscalNumber,
    InboxReturn,
    Office,
    OutboxMessage,
    RawMessage,
    Relation,
    ReturnEvent,
    ReturnStatus,
)
from planner.queries import list_workflows
from sbr_parser import IdentifierType, ReturnKind

__all__ = [
    "AFFECTED_SHOWN",
    "MAX_RETURN_ID",
    "ReturnFilter",
    "check_return_id",
    "count_by_status_and_reason",
    "count_returns",
    "effect_records",
    "get_return",
    "history",
    "history_records",
    "holders_of",
    "list_returns",
    "page_returns",
    "raw_message",
    "return_detail",
    "return_record",
    "waiting_by_reason",
    "waiting_with_number",
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
    session: Session, office: Office, statement: Select[*tuple[Any, ...]]
) -> list[ReturnRecord]:
    records = []
    for row, number, *label in session.execute(statement):
        record = return_record(row, office.code, number)
        if number is not None:
            record = record.model_copy(update={"relation_name": relation_label(*label)})
        records.append(record)
    return records


def _base(office: Office) -> Select[*tuple[Any, ...]]:
    return (
        select(InboxReturn, Relation.number, *LABEL_COLUMNS)
        .outerjoin(Relation, Relation.id == InboxReturn.relation_id)
        .where(InboxReturn.office_id == office.id)
    )


@dataclass(frozen=True, slots=True)
class ReturnFilter:
    """What the review lists filter on; every field optional.

    ``query`` finds a return by its number, its id, its file name, or the number, name or KvK
    number of the relation it is placed with or whose fiscal number it carries (so a waiting
    return is found by the name of the client it is for).
    """

    statuses: tuple[ReturnStatus, ...] = ()
    reason: str | None = None
    kind: ReturnKind | None = None
    query: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None

    def apply(
        self, statement: Select[*tuple[Any, ...]], office: Office
    ) -> Select[*tuple[Any, ...]]:
        """``statement`` (over ``inbox_return``) narrowed to this filter."""
        if self.statuses:
            statement = statement.where(InboxReturn.status.in_(self.statuses))
        if self.reason is not None:
            statement = statement.where(InboxReturn.reason == self.reason)
        if self.kind is not None:
            statement = statement.where(InboxReturn.kind == self.kind)
        if self.period_start is not None:
            statement = statement.where(InboxReturn.period_start == self.period_start)
        if self.period_end is not None:
            statement = statement.where(InboxReturn.period_end == self.period_end)
        if self.query and self.query.strip():
            statement = statement.where(_search(office, self.query.strip()))
        return statement


def _search(office: Office, query: str) -> ColumnElement[bool]:
    holders = (
        select(FiscalNumber.normalised)
        .join(Relation, Relation.id == FiscalNumber.relation_id)
        .where(FiscalNumber.office_id == office.id, relation_matches(query))
    )
    found = [
        contains_text(InboxReturn.identifier, query),
        contains_text(InboxReturn.identifier_normalised, query),
        contains_text(InboxReturn.file_name, query),
        relation_matches(query),
        InboxReturn.identifier_normalised.in_(holders),
    ]
    if query.isdecimal() and int(query) <= MAX_RETURN_ID:
        found.append(InboxReturn.id == int(query))
    return or_(*found)


def count_returns(session: Session, office: Office, chosen: ReturnFilter) -> int:
    """How many of the office's returns the filter keeps (for paging)."""
    statement = chosen.apply(
        select(func.count())
        .select_from(InboxReturn)
        .outerjoin(Relation, Relation.id == InboxReturn.relation_id)
        .where(InboxReturn.office_id == office.id),
        office,
    )
    return int(session.scalar(statement) or 0)


def page_returns(
    session: Session,
    office: Office,
    chosen: ReturnFilter,
    *,
    limit: int,
    offset: int = 0,
    newest_first: bool = False,
) -> list[ReturnRecord]:
    """One page of the office's returns the filter keeps."""
    order = InboxReturn.id.desc() if newest_first else InboxReturn.id
    statement = chosen.apply(_base(office), office).order_by(order).limit(limit).offset(offset)
    return _records(session, office, statement)


def waiting_by_reason(session: Session, office: Office) -> list[tuple[str, int, dt.datetime]]:
    """The unmatched queue per reason: (reason, how many, oldest arrival), most first, then
    oldest first."""
    rows = session.execute(
        select(InboxReturn.reason, func.count(), func.min(InboxReturn.received_at))
        .where(InboxReturn.office_id == office.id, InboxReturn.status == ReturnStatus.UNMATCHED)
        .group_by(InboxReturn.reason)
    ).all()
    return sorted(
        ((reason or "", count, oldest) for reason, count, oldest in rows),
        key=lambda row: (-row[1], row[2]),
    )


def holders_of(session: Session, office: Office, records: Sequence[ReturnRecord]) -> dict[int, str]:
    """For returns not placed: the relations holding their number, as ``1001 (Naam)``, so the
    queue can say whose return it probably is."""
    wanted = {
        (r.identifier_type, r.identifier_normalised)
        for r in records
        if r.relation_number is None and r.identifier_type and r.identifier_normalised
    }
    if not wanted:
        return {}
    names: dict[tuple[str, str], list[str]] = {}
    rows = session.execute(
        select(FiscalNumber.type, FiscalNumber.normalised, Relation.number, *LABEL_COLUMNS)
        .join(Relation, Relation.id == FiscalNumber.relation_id)
        .where(
            FiscalNumber.office_id == office.id,
            FiscalNumber.normalised.in_({normalised for _, normalised in wanted}),
        )
        .order_by(Relation.number)
    )
    for kind, normalised, number, *label in rows:
        names.setdefault((kind.value, normalised), []).append(
            f"{number} ({relation_label(*label)})"
        )
    return {
        r.id: ", ".join(names[(r.identifier_type, r.identifier_normalised)])
        for r in records
        if r.identifier_type
        and r.identifier_normalised
        and (r.identifier_type, r.identifier_normalised) in names
    }


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
    """The office's returns, oldest first, filtered (see :class:`ReturnFilter`)."""
    chosen = ReturnFilter(
        statuses=() if status is None else (status,),
        reason=reason,
        kind=kind,
        query=query,
        period_start=period_start,
        period_end=period_end,
    )
    statement = chosen.apply(_base(office), office).order_by(InboxReturn.id)
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
        effects=effect_records(session, return_id),
    )


def waiting_with_number(
    session: Session, office: Office, identifier_type: IdentifierType, normalised: str
) -> list[ReturnRecord]:
    """The office's returns still waiting (to be decided, or for a place) that carry this
    number: what taking the number off a relation affects (they are decided again)."""
    rows = session.scalars(
        select(InboxReturn)
        .where(
            InboxReturn.office_id == office.id,
            InboxReturn.identifier_type == identifier_type,
            InboxReturn.identifier_normalised == normalised,
            InboxReturn.status.in_((ReturnStatus.RECEIVED, ReturnStatus.UNMATCHED)),
        )
        .order_by(InboxReturn.id)
        .limit(AFFECTED_SHOWN)
    )
    return [return_record(row, office.code, None) for row in rows]


#: Waiting returns a confirmation names at most (the page says when there may be more).
AFFECTED_SHOWN = 50


def effect_records(session: Session, return_id: int) -> list[EffectRecord]:
    """The return's effects and how they went (the caller checked the return's office)."""
    return [
        EffectRecord(
            task=message.task,
            state="done"
            if message.done_at is not None
            else "failed"
            if message.failed_at is not None
            else "waiting",
            failures=message.failures,
            last_error=message.last_error,
            done_at=None if message.done_at is None else message.done_at.isoformat(),
            failed_at=None if message.failed_at is None else message.failed_at.isoformat(),
        )
        for message in session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.return_id == return_id)
            .order_by(OutboxMessage.id)
        )
    ]


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
        legal_form=None if candidate.legal_form is None else candidate.legal_form.value,
        products=[p.code for p in candidate.products if p.active],
    )
