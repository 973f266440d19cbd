"""The staff review API (docs/contracts.md): returns, staff decisions, and the relation edits the
review page needs. Every endpoint needs a staff bearer token; an office's data is only reachable
by its own staff (another office's paths answer 404, as if they did not exist).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.guards import STAFF_STATE, StaffCaller
from api.paths import ID
from crm.edits import add_product, set_sbr_settings
from crm.export import relation_document
from crm.queries import get_relation, search_relations
from crm.warnings import relation_warnings
from inbox.dispatch import commit_and_dispatch
from inbox.effect_runs import retry_parked
from inbox.fixes import assign_adding_number
from inbox.queries import get_return, list_returns, raw_message, return_detail
from inbox.records import ReturnDetail, ReturnRecord
from inbox.staff import assign, dismiss, rerun, staff_actor, undo
from models import InboxReturn, Office, Relation, ReturnStatus, session_scope
from sbr_parser import IdentifierType, ReturnKind

__all__ = ["raw_download", "router"]

router = APIRouter(prefix="/api/offices/{office}", tags=["review"])
_bearer = HTTPBearer(auto_error=False)


class Staff(BaseModel):
    """Who is calling."""

    email: str
    office_id: int
    office_code: str


def _session(request: Request) -> Iterator[Session]:
    # Endpoints that change data commit explicitly before sending effects; whatever is not
    # committed when the request ends is rolled back. Errors are answered by api.errors.
    engine: Engine = request.app.state.engine
    with Session(engine, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(_session)]


def _staff(
    request: Request,
    office: str,
    # Declared so the OpenAPI schema shows the bearer scheme; api.guards.BearerFirst has
    # already checked the token, before the body was read.
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Staff:
    caller: StaffCaller | None = getattr(request.state, STAFF_STATE, None)
    if caller is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="a staff bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if caller.office_code != office:
        # Another office's data does not exist for this caller.
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no office {office!r}")
    return Staff(email=caller.email, office_id=caller.office_id, office_code=caller.office_code)


StaffDep = Annotated[Staff, Depends(_staff)]
# Text that may reach the database: PostgreSQL refuses NUL characters in text.
NO_NUL = r"^[^\x00]*$"


def office_of(session: Session, staff: Staff) -> Office:
    office = session.get(Office, staff.office_id)
    assert office is not None  # noqa: S101 - the token's office
    return office


class Assign(BaseModel):
    """The relation to place the return with."""

    relation_number: Annotated[str, Field(min_length=1, max_length=32, pattern=NO_NUL)]
    # Added: also put the return's number on the relation (SBR on), so the next period's
    # return matches by itself.
    add_number: bool = False


class Dismiss(BaseModel):
    """Why the return is taken out of the review queue."""

    remark: Annotated[str, Field(min_length=1, max_length=2000, pattern=NO_NUL)]


class SbrSettings(BaseModel):
    """New SBR settings of one fiscal number (fields left out stay as they are)."""

    type: IdentifierType
    value: Annotated[str, Field(min_length=1, max_length=32, pattern=NO_NUL)]
    sbr_enabled: bool | None = None
    sbr_start_date: dt.date | None = None
    sbr_ideal: bool | None = None


class AddProduct(BaseModel):
    """A product to add to the relation (active)."""

    code: Annotated[str, Field(min_length=1, max_length=64, pattern=NO_NUL)]


@router.get("/returns")
def returns(
    session: SessionDep,
    staff: StaffDep,
    status_: Annotated[ReturnStatus | None, Query(alias="status")] = None,
    reason: Annotated[str | None, Query(max_length=32)] = None,
    kind: ReturnKind | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[ReturnRecord]:
    """The office's returns (the `returns list` objects), filtered and paged."""
    return list_returns(
        session,
        office_of(session, staff),
        status=status_,
        reason=reason,
        kind=kind,
        query=q,
        period_start=period_start,
        period_end=period_end,
        limit=limit,
        offset=offset,
    )


@router.get("/returns/{return_id}")
def one_return(session: SessionDep, staff: StaffDep, return_id: ID) -> ReturnDetail:
    """One return with its decision history and the relations holding its number."""
    return return_detail(session, office_of(session, staff), return_id)


@router.get("/returns/{return_id}/raw", response_class=Response)
def raw(session: SessionDep, staff: StaffDep, return_id: ID) -> Response:
    """The message exactly as received, as a download (never rendered by the browser)."""
    data = raw_message(session, office_of(session, staff), return_id)
    return raw_download(data, return_id)


def raw_download(data: bytes, return_id: int) -> Response:
    """Delivered bytes as an attachment a browser will not render or run.

    A delivered "return" may be XHTML or SVG with a script in it: served inline as XML it ran
    on the inbox's origin with the signed-in staff member's powers (issue 12). As an opaque
    download, with nosniff and a sandboxing policy, it is only ever a file.
    """
    return Response(
        content=data,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="bericht-{return_id}.xml"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
        },
    )


def after_decision(
    request: Request, session: Session, staff: Staff, row: InboxReturn
) -> ReturnRecord:
    """Commit a staff decision, hand on its effects, answer the new record."""
    [record] = records_after(request, session, staff, [row.id])
    return record


def records_after(
    request: Request, session: Session, staff: Staff, return_ids: list[int]
) -> list[ReturnRecord]:
    """Commit, hand on the effects and re-decisions, answer the returns' new records.

    The records are read in a fresh session: the effects may have run in their own
    transactions.
    """
    commit_and_dispatch(session)
    engine: Engine = request.app.state.engine
    with session_scope(engine) as fresh:
        office = office_of(fresh, staff)
        return [get_return(fresh, office, return_id) for return_id in return_ids]


@router.post("/returns/{return_id}/assign")
def assign_return(
    request: Request, session: SessionDep, staff: StaffDep, return_id: ID, body: Assign
) -> ReturnRecord:
    """Place an unmatched return with a relation (rules 3 and 7 still apply; else 409);
    with ``add_number`` the return's number is put on the relation first."""
    row = (assign_adding_number if body.add_number else assign)(
        session,
        office_of(session, staff),
        return_id,
        body.relation_number,
        actor=staff_actor(staff.email),
    )
    return after_decision(request, session, staff, row)


@router.post("/returns/{return_id}/dismiss")
def dismiss_return(
    request: Request, session: SessionDep, staff: StaffDep, return_id: ID, body: Dismiss
) -> ReturnRecord:
    """Take a return out of the review queue with a remark."""
    row = dismiss(
        session, office_of(session, staff), return_id, body.remark, actor=staff_actor(staff.email)
    )
    return after_decision(request, session, staff, row)


@router.post("/returns/{return_id}/undo")
def undo_return(
    request: Request, session: SessionDep, staff: StaffDep, return_id: ID
) -> ReturnRecord:
    """Take back the last staff assignment or dismissal."""
    row = undo(session, office_of(session, staff), return_id, actor=staff_actor(staff.email))
    return after_decision(request, session, staff, row)


@router.post("/returns/{return_id}/effects/retry")
def retry_effects(
    request: Request, session: SessionDep, staff: StaffDep, return_id: ID
) -> ReturnRecord:
    """Try the return's parked effects again (parked after SBR_INBOX_MAX_ATTEMPTS failed runs;
    409 when none is parked)."""
    retry_parked(session, office_of(session, staff), return_id)
    [record] = records_after(request, session, staff, [return_id])
    return record


@router.post("/returns/{return_id}/rerun")
def rerun_return(
    request: Request, session: SessionDep, staff: StaffDep, return_id: ID
) -> ReturnRecord:
    """Run the rules again for one unmatched return."""
    row = rerun(session, office_of(session, staff), return_id, actor=staff_actor(staff.email))
    return after_decision(request, session, staff, row)


def _after_relation_change(session: Session, office: Office, number: str) -> dict[str, Any]:
    """Commit a relation edit, re-decide the returns it may resolve, answer the relation."""
    redecided = commit_and_dispatch(session).redecided
    return {
        **_relation_answer(get_relation(session, office, number)),
        "returns_redecided": redecided,
    }


def _relation_answer(relation: Relation) -> dict[str, Any]:
    """The relation's interchange document plus what staff should read about its numbers."""
    return {**relation_document(relation), "warnings": relation_warnings(relation)}


@router.get("/relations")
def relations(
    session: SessionDep,
    staff: StaffDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    """Search relations by number or name."""
    return [
        {"number": r.number, "type": r.type.value, "name": r.name or r.last_name}
        for r in search_relations(session, office_of(session, staff), q, limit)
    ]


@router.get("/relations/{number}")
def relation(session: SessionDep, staff: StaffDep, number: str) -> dict[str, Any]:
    """One relation as its interchange document (fiscal numbers with SBR settings included),
    with ``warnings`` (e.g. an OB number that is a btw-identificatienummer)."""
    return _relation_answer(get_relation(session, office_of(session, staff), number))


@router.post("/relations/{number}/sbr")
def relation_sbr(
    session: SessionDep, staff: StaffDep, number: str, body: SbrSettings
) -> dict[str, Any]:
    """Switch SBR on/off, set the start date or iDEAL of a fiscal number; waiting returns with
    that number are decided again."""
    office = office_of(session, staff)
    set_sbr_settings(
        session,
        office,
        number,
        body.type,
        body.value,
        enabled=body.sbr_enabled,
        start_date=body.sbr_start_date,
        ideal=body.sbr_ideal,
        source=staff_actor(staff.email),
    )
    return _after_relation_change(session, office, number)


@router.post("/relations/{number}/products")
def relation_product(
    session: SessionDep, staff: StaffDep, number: str, body: AddProduct
) -> dict[str, Any]:
    """Add an active product to the relation; waiting returns are decided again."""
    office = office_of(session, staff)
    add_product(session, office, number, body.code, source=staff_actor(staff.email))
    return _after_relation_change(session, office, number)
