"""One return's page: what was read, why it waits, its fixes, its history, its workflow.

Every reason's advice is a button here, each calling the service function the API calls
(``inbox.fixes``, ``inbox.staff``). Assigning picks the relation by search and, when the
return's number is not on it, asks first and offers to add the number so the next period
matches by itself. The last staff decision can be undone here.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.pages.common import (
    CsrfField,
    LegalFormField,
    NumberField,
    SignedInDep,
    act,
    engine_of,
    page,
    redirect,
    relation_row,
)
from api.paths import ID
from api.raw_text import readable_message
from api.review import NO_NUL, raw_download
from crm.errors import NotFoundError
from crm.export import relation_document
from crm.queries import relations_by_numbers, search_relations
from crm.warnings import relation_warnings
from inbox.effect_runs import retry_parked
from inbox.errors import ActionRefusedError
from inbox.fixes import (
    add_number,
    add_product,
    assign_adding_number,
    check_number,
    create_relation,
    default_start_date,
    person_made_from_contact,
    product_for,
    relation_type_for,
    set_legal_form,
    switch_sbr,
)
from inbox.queries import raw_message, return_detail
from inbox.staff import assign, dismiss, rerun, undo
from matching.codes import LegalForm, RelationType
from matching.rules import can_receive, legal_form_stops_it
from models import InboxReturn, Office, ReturnStatus, session_scope
from sbr_parser import ReturnKind

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

# History triggers a staff member can take back (inbox.staff.undo).
UNDOABLE = ("assign", "dismiss")


@router.get("/returns/{return_id}", response_class=HTMLResponse)
def detail(
    request: Request,
    staff: SignedInDep,
    return_id: ID,
    zoek: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
    kies: Annotated[str | None, Query(max_length=32, pattern=NO_NUL)] = None,
) -> Response:
    """One return. ``zoek``: search relations to assign to; ``kies``: confirm that one."""
    with session_scope(engine_of(request)) as session:
        office = staff.office(session)
        record = return_detail(session, office, return_id)
        text = readable_message(raw_message(session, office, return_id))
        holders = [
            {**relation_document(r), "warnings": relation_warnings(r, dutch=True)}
            for r in relations_by_numbers(
                session, office, [c.relation_number for c in record.candidates]
            ).values()
        ]
        found = [] if not zoek else _search(session, office, zoek, record.identifier_normalised)
        chosen = _confirmation(session, office, return_id, kies) if kies else None
    # What the fixes need, from the record already read (no second read of the return).
    kind = None if record.kind is None else ReturnKind(record.kind)
    start = default_start_date(
        None if record.period_start is None else dt.date.fromisoformat(record.period_start)
    )
    last = record.history[-1] if record.history else None
    return page(
        request,
        "return.html",
        {
            "r": record,
            "candidates": record.candidates,
            "holders": {h["number"]: h for h in holders},
            "history": record.history,
            "workflow": record.workflow,
            "raw_url": f"/returns/{return_id}/raw",
            "raw_text": text,
            "zoek": zoek or "",
            "found": found,
            "chosen": chosen,
            "undoable": last is not None and last.trigger in UNDOABLE,
            "start": start,
            "product": None if kind is None else product_for(kind),
            "new_type": None if kind is None else relation_type_for(kind).value,
            "legal_forms": list(LegalForm),
            "legal_form_variant": kind is not None
            and legal_form_stops_it(kind, (RelationType(c.type) for c in record.candidates)),
            "kind": kind,
            # Who could receive the kind at all: only they are offered its product.
            "receivers": {
                c.relation_number
                for c in record.candidates
                if kind is not None
                and can_receive(
                    kind,
                    RelationType(c.type),
                    None if c.legal_form is None else LegalForm(c.legal_form),
                )
            },
        },
        staff=staff,
        office=office,
    )


@router.get("/returns/{return_id}/raw")
def raw(request: Request, staff: SignedInDep, return_id: ID) -> Response:
    """The message as received (office-only), as a download the browser never renders."""
    with session_scope(engine_of(request)) as session:
        data = raw_message(session, staff.office(session), return_id)
    return raw_download(data, return_id)


@router.get("/returns/{return_id}/volgende")
def next_waiting(request: Request, staff: SignedInDep, return_id: ID) -> Response:
    """The next return that waits (the same reason first), or the queue when none does."""
    with session_scope(engine_of(request)) as session:
        office = staff.office(session)
        current = session.get(InboxReturn, return_id)
        reason = None if current is None or current.office_id != office.id else current.reason
        waiting = select(InboxReturn.id).where(
            InboxReturn.office_id == office.id,
            InboxReturn.status == ReturnStatus.UNMATCHED,
            InboxReturn.id != return_id,
        )
        following = session.scalar(
            waiting.where(InboxReturn.reason == reason).order_by(InboxReturn.id).limit(1)
        ) or session.scalar(waiting.order_by(InboxReturn.id).limit(1))
    if following is None:
        return redirect("/", "Er wachten geen aangiften meer.", request)
    return redirect(f"/returns/{following}")


@router.post("/returns/{return_id}/assign")
def assign_form(
    request: Request,
    staff: SignedInDep,
    return_id: ID,
    relation_number: NumberField,
    csrf: CsrfField,
    confirmed: Annotated[str, Form(max_length=10)] = "",
    add: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Place the return with the chosen relation; ask first when the number is not on it."""
    if not confirmed:
        with session_scope(engine_of(request)) as session:
            holds = check_number(session, staff.office(session), return_id, relation_number).holds
        if not holds:
            return redirect(f"/returns/{return_id}?kies={relation_number}#toewijzen")
    place = assign_adding_number if add else assign
    return act(
        request,
        staff,
        csrf,
        lambda s, o, actor: place(s, o, return_id, relation_number, actor=actor),
        f"/returns/{return_id}",
        f"Geplaatst bij relatie {relation_number}"
        + (", nummer toegevoegd aan de relatie." if add else "."),
    )


@router.post("/returns/{return_id}/dismiss")
def dismiss_form(
    request: Request,
    staff: SignedInDep,
    return_id: ID,
    remark: Annotated[str, Form(max_length=2000, pattern=NO_NUL)],
    csrf: CsrfField,
) -> Response:
    """Take the return out of the queue with a remark."""
    return act(
        request,
        staff,
        csrf,
        lambda s, o, actor: dismiss(s, o, return_id, remark, actor=actor),
        f"/returns/{return_id}",
        "Afgehandeld.",
    )


@router.post("/returns/{return_id}/undo")
def undo_form(request: Request, staff: SignedInDep, return_id: ID, csrf: CsrfField) -> Response:
    """Take back the last staff decision (with what it filed and started)."""
    return act(
        request,
        staff,
        csrf,
        lambda s, o, actor: undo(s, o, return_id, actor=actor),
        f"/returns/{return_id}",
        "Ongedaan gemaakt.",
    )


@router.post("/returns/{return_id}/effecten/opnieuw")
def retry_effects_form(
    request: Request, staff: SignedInDep, return_id: ID, csrf: CsrfField
) -> Response:
    """Try a return's parked effects again (issue 22: parked after failing too often)."""
    return act(
        request,
        staff,
        csrf,
        lambda s, o, _actor: retry_parked(s, o, return_id),
        f"/returns/{return_id}",
        "Wordt opnieuw geprobeerd.",
    )


@router.post("/returns/{return_id}/rerun")
def rerun_form(request: Request, staff: SignedInDep, return_id: ID, csrf: CsrfField) -> Response:
    """Run the rules again now."""
    return act(
        request,
        staff,
        csrf,
        lambda s, o, actor: rerun(s, o, return_id, actor=actor),
        f"/returns/{return_id}",
        "Opnieuw beoordeeld.",
    )


@router.post("/returns/{return_id}/fix/number")
def fix_number(
    request: Request,
    staff: SignedInDep,
    return_id: ID,
    relation_number: NumberField,
    csrf: CsrfField,
    start_date: Annotated[dt.date | None, Form()] = None,
) -> Response:
    """Put the return's number on the relation (SBR on from the start date)."""
    return act(
        request,
        staff,
        csrf,
        lambda s, o, actor: add_number(
            s, o, return_id, relation_number, start_date=start_date, actor=actor
        ),
        f"/returns/{return_id}",
        f"Nummer toegevoegd aan relatie {relation_number}.",
    )


@router.post("/returns/{return_id}/fix/relation")
def fix_relation(
    request: Request,
    staff: SignedInDep,
    return_id: ID,
    number: NumberField,
    name: Annotated[str, Form(min_length=1, max_length=200, pattern=NO_NUL)],
    csrf: CsrfField,
    legal_form: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """A new relation for the return, with its number and the product for its kind."""
    form = LegalForm(legal_form) if legal_form in set(LegalForm) else None
    return act(
        request,
        staff,
        csrf,
        lambda s, o, actor: create_relation(
            s, o, return_id, number=number, name=name, legal_form=form, actor=actor
        ),
        f"/returns/{return_id}",
        f"Relatie {number} aangemaakt.",
    )


@router.post("/returns/{return_id}/fix/sbr")
def fix_sbr(
    request: Request,
    staff: SignedInDep,
    return_id: ID,
    relation_number: NumberField,
    enabled: Annotated[str, Form(max_length=5)],
    csrf: CsrfField,
    start_date: Annotated[dt.date | None, Form()] = None,
) -> Response:
    """SBR on (with its start date) or off for the return's number at the relation."""
    on = enabled == "1"
    return act(
        request,
        staff,
        csrf,
        lambda s, o, actor: switch_sbr(
            s, o, return_id, relation_number, enabled=on, start_date=start_date, actor=actor
        ),
        f"/returns/{return_id}",
        f"SBR {'ingeschakeld' if on else 'uitgeschakeld'} bij relatie {relation_number}.",
    )


@router.post("/returns/{return_id}/fix/product")
def fix_product(
    request: Request,
    staff: SignedInDep,
    return_id: ID,
    relation_number: NumberField,
    csrf: CsrfField,
) -> Response:
    """Give the relation the product for the return's kind."""
    return act(
        request,
        staff,
        csrf,
        lambda s, o, actor: add_product(s, o, return_id, relation_number, actor=actor),
        f"/returns/{return_id}",
        f"Product toegevoegd aan relatie {relation_number}.",
    )


@router.post("/returns/{return_id}/fix/legal-form")
def fix_legal_form(
    request: Request,
    staff: SignedInDep,
    return_id: ID,
    relation_number: NumberField,
    legal_form: LegalFormField,
    csrf: CsrfField,
) -> Response:
    """Set or correct the relation's legal form."""
    return act(
        request,
        staff,
        csrf,
        lambda s, o, actor: set_legal_form(
            s, o, return_id, relation_number, legal_form, actor=actor
        ),
        f"/returns/{return_id}",
        f"Rechtsvorm van relatie {relation_number} opgeslagen.",
    )


@router.post("/returns/{return_id}/fix/person")
def fix_person(
    request: Request,
    staff: SignedInDep,
    return_id: ID,
    contact_number: NumberField,
    organisation_number: NumberField,
    csrf: CsrfField,
) -> Response:
    """ "Relatie aanmaken o.b.v. contact": the contact's person relation, made once."""

    return act(
        request,
        staff,
        csrf,
        lambda s, o, actor: person_made_from_contact(
            s, o, contact_number, organisation_number, actor
        ),
        f"/returns/{return_id}",
    )


def _search(
    session: Session, office: Office, query: str, number: str | None
) -> list[dict[str, Any]]:
    """Relations to assign to: by number, name or KvK number; each says if it holds the number."""
    return [
        {
            **relation_row(relation),
            "holds": number is not None
            and any(n.normalised == number for n in relation.fiscal_numbers),
        }
        for relation in search_relations(session, office, query, 20)
    ]


def _confirmation(
    session: Session, office: Office, return_id: int, relation_number: str
) -> dict[str, Any] | None:
    try:
        check = check_number(session, office, return_id, relation_number)
    except (NotFoundError, ActionRefusedError):
        return None
    return {"number": relation_number, **check._asdict()}
