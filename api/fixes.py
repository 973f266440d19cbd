"""The review API's fixes (docs/contracts.md): each reason's advice as one call.

Every endpoint calls the same service function as the page (``inbox.fixes``), commits, lets the
change decide the waiting returns with that number again (inline in the embedded mode, as a
task with a broker) and answers the return's record. Same token and tenancy rules as the rest
of the review API: 401 without a token, 404 for another office's data.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.paths import ID
from api.review import NO_NUL, SessionDep, Staff, StaffDep, office_of, records_after
from crm.contacts import create_relation_from_contact
from crm.export import relation_document
from inbox.dispatch import commit_and_dispatch
from inbox.fixes import (
    add_number,
    add_product,
    create_relation,
    sbr_on_where_held,
    set_legal_form,
    switch_sbr,
)
from inbox.records import ReturnRecord
from inbox.staff import dismiss, staff_actor
from matching.codes import LegalForm

__all__ = ["router"]

router = APIRouter(prefix="/api/offices/{office}", tags=["fixes"])

RelationNumber = Annotated[str, Field(min_length=1, max_length=32, pattern=NO_NUL)]


class AddNumber(BaseModel):
    """Put the return's number on this relation (SBR on from the start date)."""

    relation_number: RelationNumber
    sbr_start_date: dt.date | None = None


class NewRelation(BaseModel):
    """A new relation for the return (a person for income tax, else an organisation)."""

    number: RelationNumber
    name: Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
    legal_form: LegalForm | None = None


class SwitchSbr(BaseModel):
    """SBR on or off for the return's number at this relation."""

    relation_number: RelationNumber
    sbr_enabled: bool
    sbr_start_date: dt.date | None = None


class ForRelation(BaseModel):
    """The relation the fix is for."""

    relation_number: RelationNumber


class SetLegalForm(BaseModel):
    """The relation's legal form."""

    relation_number: RelationNumber
    legal_form: LegalForm


class FromContact(BaseModel):
    """Make (or find) the contact's person relation."""

    contact_number: RelationNumber
    organisation_number: RelationNumber | None = None


class Bulk(BaseModel):
    """One fix for several returns of one reason."""

    ids: Annotated[list[ID], Field(min_length=1, max_length=500)]
    action: Literal["sbr_on", "dismiss"]
    remark: Annotated[str, Field(max_length=2000, pattern=NO_NUL)] | None = None


@router.post("/returns/{return_id}/fixes/number")
def fix_number(
    request: Request, session: SessionDep, staff: StaffDep, return_id: ID, body: AddNumber
) -> ReturnRecord:
    """``no_relation``: add the number to the right relation."""
    add_number(
        session,
        office_of(session, staff),
        return_id,
        body.relation_number,
        start_date=body.sbr_start_date,
        actor=staff_actor(staff.email),
    )
    return _answer(request, session, staff, return_id)


@router.post("/returns/{return_id}/fixes/relation")
def fix_new_relation(
    request: Request, session: SessionDep, staff: StaffDep, return_id: ID, body: NewRelation
) -> ReturnRecord:
    """``no_relation``: create a relation from the return."""
    create_relation(
        session,
        office_of(session, staff),
        return_id,
        number=body.number,
        name=body.name,
        legal_form=body.legal_form,
        actor=staff_actor(staff.email),
    )
    return _answer(request, session, staff, return_id)


@router.post("/returns/{return_id}/fixes/sbr")
def fix_sbr(
    request: Request, session: SessionDep, staff: StaffDep, return_id: ID, body: SwitchSbr
) -> ReturnRecord:
    """``sbr_disabled``, ``before_sbr_start``, ``ambiguous``: SBR on/off and the start date."""
    switch_sbr(
        session,
        office_of(session, staff),
        return_id,
        body.relation_number,
        enabled=body.sbr_enabled,
        start_date=body.sbr_start_date,
        actor=staff_actor(staff.email),
    )
    return _answer(request, session, staff, return_id)


@router.post("/returns/{return_id}/fixes/product")
def fix_product(
    request: Request, session: SessionDep, staff: StaffDep, return_id: ID, body: ForRelation
) -> ReturnRecord:
    """``no_product``: give the relation the product for the return's kind."""
    add_product(
        session,
        office_of(session, staff),
        return_id,
        body.relation_number,
        actor=staff_actor(staff.email),
    )
    return _answer(request, session, staff, return_id)


@router.post("/returns/{return_id}/fixes/legal-form")
def fix_legal_form(
    request: Request, session: SessionDep, staff: StaffDep, return_id: ID, body: SetLegalForm
) -> ReturnRecord:
    """``legal_form_missing``, ``wrong_relation_type`` (a wrong legal form): set it."""
    set_legal_form(
        session,
        office_of(session, staff),
        return_id,
        body.relation_number,
        body.legal_form,
        actor=staff_actor(staff.email),
    )
    return _answer(request, session, staff, return_id)


@router.post("/relations/from-contact")
def from_contact(session: SessionDep, staff: StaffDep, body: FromContact) -> dict[str, Any]:
    """``wrong_relation_type``: the contact's person relation, made once (``created`` says
    whether this call made it)."""
    office = office_of(session, staff)
    relation, warnings = create_relation_from_contact(
        session,
        office,
        body.contact_number,
        organisation_number=body.organisation_number,
        source=staff_actor(staff.email),
    )
    created = not any("nothing was made" in warning for warning in warnings)
    document = relation_document(relation)
    redecided = commit_and_dispatch(session).redecided
    return {
        **document,
        "created": created,
        "warnings": warnings,
        "returns_redecided": redecided,
    }


@router.post("/returns/bulk")
def bulk(request: Request, session: SessionDep, staff: StaffDep, body: Bulk) -> list[ReturnRecord]:
    """Switch SBR on for the numbers of several returns (at the one relation holding each),
    or dismiss them with one remark. All or nothing: one refusal changes none."""
    office = office_of(session, staff)
    actor = staff_actor(staff.email)
    for return_id in body.ids:
        if body.action == "dismiss":
            dismiss(session, office, return_id, body.remark or "", actor=actor)
        else:
            sbr_on_where_held(session, office, return_id, actor=actor)
    return records_after(request, session, staff, body.ids)


def _answer(request: Request, session: Session, staff: Staff, return_id: int) -> ReturnRecord:
    [record] = records_after(request, session, staff, [return_id])
    return record
