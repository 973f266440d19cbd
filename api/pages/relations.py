"""The relation page: its fiscal numbers with SBR settings and warnings, products, planner
rules, workflows, dossier and timeline, with the edits staff make there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, TypeVar
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.pages.common import (
    CsrfField,
    LegalFormField,
    NumberField,
    SignedInDep,
    act,
    engine_of,
    page,
    relation_row,
)
from api.review import NO_NUL
from crm.edits import (
    add_product,
    put_fiscal_number,
    remove_fiscal_number,
    set_sbr_settings,
    update_relation,
)
from crm.export import relation_document
from crm.queries import (
    document_page,
    dossier_folders,
    get_relation,
    search_relations,
    timeline_page,
)
from crm.warnings import relation_warnings
from inbox.errors import ActionRefusedError
from inbox.fixes import person_made_from_contact
from inbox.queries import AFFECTED_SHOWN, waiting_with_number
from matching.codes import LegalForm
from models import session_scope
from models.catalogue import CATALOGUE
from models.paging import MAX_CURSOR, BadCursorError, Page
from planner.queries import RELATION_ORDER, WorkflowFilter, page_workflows
from sbr_parser import IdentifierType, normalise_identifier

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
T = TypeVar("T")
PAGE = 50  # workflows, documents and timeline lines per page
# A section's cursor (models.paging: URL-safe base64).
CursorQuery = Annotated[str | None, Query(max_length=MAX_CURSOR, pattern=r"^[A-Za-z0-9_-]*$")]


@router.get("/relaties", response_class=HTMLResponse)
def search(
    request: Request,
    staff: SignedInDep,
    zoek: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
) -> Response:
    """Find a relation by number, name or KvK number."""
    with session_scope(engine_of(request)) as session:
        office = staff.office(session)
        found = [relation_row(r) for r in search_relations(session, office, zoek, 50)]
    return page(
        request, "relations.html", {"zoek": zoek or "", "found": found}, staff=staff, office=office
    )


@router.get("/relaties/{number}", response_class=HTMLResponse)
def relation_page(
    request: Request,
    staff: SignedInDep,
    number: str,
    werkstromen: CursorQuery = None,
    documenten: CursorQuery = None,
    tijdlijn: CursorQuery = None,
) -> Response:
    """Everything the office keeps about one relation; its workflows, documents and timeline
    a page each (newest first), each with its own "volgende" link."""
    cursors = {"werkstromen": werkstromen, "documenten": documenten, "tijdlijn": tijdlijn}
    with session_scope(engine_of(request)) as session:
        office = staff.office(session)
        relation = get_relation(session, office, number)
        document = relation_document(relation)
        warnings = relation_warnings(relation, dutch=True)
        workflows = _paged(
            lambda after: page_workflows(
                session,
                office,
                WorkflowFilter(relation_id=relation.id),
                RELATION_ORDER,
                after=after,
                size=PAGE,
            ),
            cursors,
            "werkstromen",
        )
        shown = _paged(
            lambda after: document_page(session, office, number, after=after, size=PAGE),
            cursors,
            "documenten",
        )
        lines = _paged(
            lambda after: timeline_page(session, office, number, after=after, size=PAGE),
            cursors,
            "tijdlijn",
        )
        folders = {f.id: f.name for f in dossier_folders(session, office, number)}
        files = [
            {"name": d.name, "folder": folders.get(d.folder_id, ""), "return_id": d.return_id}
            for d in shown
        ]
        events = [{"at": e.at, "text": e.text, "return_id": e.refs.get("return_id")} for e in lines]
    base = f"/relaties/{quote(number, safe='')}"
    return page(
        request,
        "relation.html",
        {
            "rel": document,
            "warnings": warnings,
            "workflows": workflows.rows,
            "files": files,
            "events": events,
            "pages": {
                name: {
                    "first": None if cursors[name] is None else _link(base, cursors, name, None),
                    "next": None if found.next is None else _link(base, cursors, name, found.next),
                }
                for name, found in (
                    ("werkstromen", workflows),
                    ("documenten", shown),
                    ("tijdlijn", lines),
                )
            },
            "page_size": PAGE,
            "catalogue": [(spec.code, spec.name) for spec in CATALOGUE],
            "number_types": list(IdentifierType),
            "legal_forms": list(LegalForm),
            "today": dt.date.today(),
        },
        staff=staff,
        office=office,
    )


def _paged(
    read: Callable[[str | None], Page[T]], cursors: dict[str, str | None], name: str
) -> Page[T]:
    """One section's page from its cursor; a cursor that is not one of ours (an old or typed
    link) gives the section's first page, not an error."""
    try:
        return read(cursors[name])
    except BadCursorError:
        cursors[name] = None
        return read(None)


def _link(base: str, cursors: dict[str, str | None], name: str, cursor: str | None) -> str:
    """The relation page with section ``name`` from after ``cursor``; the other sections stay
    on the page they show."""
    pairs = {**cursors, name: cursor}
    query = urlencode({key: value for key, value in pairs.items() if value})
    return f"{base}?{query}#{name}" if query else f"{base}#{name}"


@router.post("/relaties/{number}/sbr")
def sbr_settings(
    request: Request,
    staff: SignedInDep,
    number: str,
    type: Annotated[str, Form(max_length=10)],
    value: NumberField,
    enabled: Annotated[str, Form(max_length=5)],
    csrf: CsrfField,
    start_date: Annotated[dt.date | None, Form()] = None,
) -> Response:
    """SBR on/off and the start date of one fiscal number; waiting returns are decided again."""
    identifier_type = _type(type)
    on = enabled == "1"
    return act(
        request,
        staff,
        csrf,
        lambda s, o, actor: set_sbr_settings(
            s, o, number, identifier_type, value, enabled=on, start_date=start_date, source=actor
        ),
        f"/relaties/{number}",
        f"SBR-instellingen van {value} opgeslagen.",
    )


@router.post("/relaties/{number}/nummer")
def add_fiscal_number(
    request: Request,
    staff: SignedInDep,
    number: str,
    type: Annotated[str, Form(max_length=10)],
    value: NumberField,
    csrf: CsrfField,
    start_date: Annotated[dt.date | None, Form()] = None,
) -> Response:
    """Add a fiscal number with SBR on."""
    identifier_type = _type(type)
    return act(
        request,
        staff,
        csrf,
        lambda s, o, actor: put_fiscal_number(
            s, o, number, identifier_type, value, start_date=start_date, source=actor
        ),
        f"/relaties/{number}",
        f"{value} toegevoegd.",
    )


@router.post("/relaties/{number}/product")
def product_form(
    request: Request,
    staff: SignedInDep,
    number: str,
    code: Annotated[str, Form(max_length=64)],
    csrf: CsrfField,
) -> Response:
    """Add an active product."""
    return act(
        request,
        staff,
        csrf,
        lambda s, o, actor: add_product(s, o, number, code, source=actor),
        f"/relaties/{number}",
        "Product toegevoegd.",
    )


@router.post("/relaties/{number}/rechtsvorm")
def legal_form(
    request: Request,
    staff: SignedInDep,
    number: str,
    legal_form: LegalFormField,
    csrf: CsrfField,
) -> Response:
    """Set or correct the legal form; waiting returns with its numbers are decided again."""
    return act(
        request,
        staff,
        csrf,
        lambda s, o, actor: update_relation(
            s, o, number, {"legal_form": legal_form.value}, source=actor
        ),
        f"/relaties/{number}",
        "Rechtsvorm opgeslagen.",
    )


@router.post("/relaties/{number}/persoon")
def person_from_contact(
    request: Request,
    staff: SignedInDep,
    number: str,
    contact_number: NumberField,
    csrf: CsrfField,
) -> Response:
    """ "Relatie aanmaken o.b.v. contact" from this relation's contact (made once)."""
    return act(
        request,
        staff,
        csrf,
        lambda s, o, actor: person_made_from_contact(s, o, contact_number, number, actor),
        f"/relaties/{number}",
    )


def _type(value: str) -> IdentifierType:
    if value not in set(IdentifierType):
        raise ActionRefusedError("Kies het soort nummer.")
    return IdentifierType(value)


@router.get("/relaties/{number}/nummer/verwijderen", response_class=HTMLResponse)
def remove_number_confirmation(
    request: Request,
    staff: SignedInDep,
    number: str,
    type: Annotated[str, Query(max_length=10)],
    value: Annotated[str, Query(max_length=64, pattern=NO_NUL)],
) -> Response:
    """Before a fiscal number goes: which waiting returns carry it (they are decided again,
    and will no longer be placed with this relation)."""
    identifier_type = _type(type)
    with session_scope(engine_of(request)) as session:
        office = staff.office(session)
        relation = get_relation(session, office, number)
        wanted = normalise_identifier(identifier_type, value)
        held = next(
            (
                n
                for n in relation.fiscal_numbers
                if n.type is identifier_type and n.normalised == wanted
            ),
            None,
        )
        if held is None:
            raise ActionRefusedError(f"Relatie {number} heeft {value} niet.")
        affected = waiting_with_number(session, office, identifier_type, held.normalised)
        name = relation_row(relation)["name"]
    return page(
        request,
        "remove_number.html",
        {
            "number": number,
            "name": name,
            "type": identifier_type.value,
            "value": held.value,
            "affected": affected,
            "shown_at_most": len(affected) >= AFFECTED_SHOWN,
        },
        staff=staff,
        office=office,
    )


@router.post("/relaties/{number}/nummer/verwijderen")
def remove_number(
    request: Request,
    staff: SignedInDep,
    number: str,
    type: Annotated[str, Form(max_length=10)],
    value: NumberField,
    csrf: CsrfField,
) -> Response:
    """Take a fiscal number off the relation (confirmed on the page above); the waiting
    returns that carry it are decided again."""
    identifier_type = _type(type)
    return act(
        request,
        staff,
        csrf,
        lambda s, o, actor: remove_fiscal_number(
            s, o, number, identifier_type, value, source=actor
        ),
        f"/relaties/{quote(number, safe='')}",
        f"{value} verwijderd.",
    )
