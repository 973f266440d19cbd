"""Staff fixes of a waiting return that change the client records, one per reason's advice.

Each takes the return (for its number, kind and period), changes the relation through the
client records' own edit path (``crm.edits``: validated, change events, timeline), and writes
a ``fix`` line in the return's history with the staff member and the change in words. The
change events then decide the office's waiting returns with that number again after commit,
credited to the same staff member (``inbox.redecide``), so the next period's return matches by
itself. The API and the page call these same functions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.contacts import create_relation_from_contact
from crm.edits import put_fiscal_number, set_sbr_settings, update_relation, write_relation
from crm.export import relation_document
from crm.queries import get_relation
from crm.timeline import lines_since, timeline_mark
from inbox.decisions import record_event
from inbox.errors import ActionRefusedError
from inbox.queries import get_return
from inbox.staff import assign, get_return_for_update, not_waiting
from matching.candidates import find_candidates
from matching.codes import LegalForm, RelationType
from matching.rules import KIND_RULES
from matching.sentences import NUMBER_NAMES
from models import FiscalNumber, InboxReturn, Office, Relation, ReturnStatus
from models.catalogue import CATALOGUE
from sbr_parser import IdentifierType, ReturnKind

__all__ = [
    "NumberCheck",
    "add_number",
    "add_product",
    "assign_adding_number",
    "check_number",
    "create_relation",
    "default_start_date",
    "person_made_from_contact",
    "product_for",
    "relation_type_for",
    "sbr_on_where_held",
    "set_legal_form",
    "switch_sbr",
]


def default_start_date(period_start: dt.date | None) -> dt.date | None:
    """The SBR start date a fix proposes for a return whose period starts ``period_start``:
    one day before, so this return and every later one match (a start date on the period's
    first day would do too; the day before also covers a corrected period that starts a day
    earlier)."""
    return None if period_start is None else period_start - dt.timedelta(days=1)


def product_for(kind: ReturnKind) -> str:
    """The catalogue product that covers ``kind``."""
    return next(spec.code for spec in CATALOGUE if kind in spec.kinds)


def relation_type_for(kind: ReturnKind) -> RelationType:
    """The relation type a new relation for this kind gets: a person for income tax, else an
    organisation."""
    return RelationType.PERSON if kind is ReturnKind.IB else RelationType.ORGANISATION


class NumberCheck(NamedTuple):
    """Whether a relation holds the return's number, and which numbers of that type it has."""

    holds: bool
    identifier_type: IdentifierType
    value: str
    others: tuple[str, ...]


def check_number(
    session: Session, office: Office, return_id: int, relation_number: str
) -> NumberCheck:
    """Before an assignment: does the relation hold the return's number? If it holds another
    of the same type, placing the return there needs a second look (the page asks). A read:
    the return is not locked (the page asks this while it shows a form)."""
    record = get_return(session, office, return_id)
    if record.kind is None or record.identifier_normalised is None:
        raise _never_read(return_id)
    value = record.identifier_normalised
    identifier_type = KIND_RULES[ReturnKind(record.kind)].identifier_type
    relation = get_relation(session, office, relation_number)
    same_type = [n.normalised for n in relation.fiscal_numbers if n.type is identifier_type]
    return NumberCheck(
        value in same_type,
        identifier_type,
        value,
        tuple(n for n in same_type if n != value),
    )


def assign_adding_number(
    session: Session, office: Office, return_id: int, relation_number: str, *, actor: str
) -> InboxReturn:
    """Put the return's number on the relation (SBR on), then place the return there: the
    next period's return matches by itself.

    One staff action: its assignment says what the number was before and which timeline lines
    the change wrote, so that undo takes the number back too (``inbox.reversal``).
    """
    relation = get_relation(session, office, relation_number)
    since = timeline_mark(session, relation.id)
    number = add_number(session, office, return_id, relation_number, actor=actor)
    added = {**number, "timeline": lines_since(session, relation.id, since)}
    return assign(session, office, return_id, relation_number, actor=actor, detail={"added": added})


def add_number(
    session: Session,
    office: Office,
    return_id: int,
    relation_number: str,
    *,
    start_date: dt.date | None = None,
    actor: str,
) -> dict[str, Any]:
    """Put the return's fiscal number on the relation with SBR on and a start date (by default
    one day before the return's period); when it is there already, switch SBR on and move the
    start date instead. Returns what was done (relation, type, value, the number's settings
    before), as the fix's history line keeps it."""
    row, kind, value = _waiting(session, office, return_id)
    identifier_type = KIND_RULES[kind].identifier_type
    start = start_date or default_start_date(row.period_start)
    held = _held(session, office, relation_number, identifier_type, value)
    number: dict[str, Any] = {
        "relation": relation_number,
        "type": identifier_type.value,
        "value": value,
        # What it was before: None when this puts it there.
        "before": None
        if held is None
        else {
            "sbr_enabled": held.sbr_enabled,
            "sbr_start_date": None
            if held.sbr_start_date is None
            else held.sbr_start_date.isoformat(),
        },
    }
    put_fiscal_number(
        session, office, relation_number, identifier_type, value, start_date=start, source=actor
    )
    _record(
        session,
        row,
        actor,
        f"{NUMBER_NAMES[kind][0]} {value} bij relatie {relation_number} gezet, SBR aan vanaf "
        f"{_day(start)}",
        detail={"number": number},
    )
    return number


def create_relation(
    session: Session,
    office: Office,
    return_id: int,
    *,
    number: str,
    name: str,
    legal_form: LegalForm | None = None,
    actor: str,
) -> Relation:
    """A new relation for the return: its number with SBR on from the day before the period,
    the product for its kind, a person for income tax and otherwise an organisation (whose
    legal form staff choose)."""
    row, kind, value = _waiting(session, office, return_id)
    relation_type = relation_type_for(kind)
    start = default_start_date(row.period_start)
    data: dict[str, object] = {
        "number": number,
        "type": relation_type.value,
        "fiscal_numbers": [
            {
                "type": KIND_RULES[kind].identifier_type.value,
                "value": value,
                "sbr_enabled": True,
                "sbr_start_date": None if start is None else start.isoformat(),
            }
        ],
        "products": [product_for(kind)],
    }
    if relation_type is RelationType.PERSON:
        data["last_name"] = name
    else:
        data["name"] = name
        data["legal_form"] = None if legal_form is None else legal_form.value
    taken = select(Relation.id).where(Relation.office_id == office.id, Relation.number == number)
    if session.scalar(taken) is not None:  # write_relation would change that one instead
        raise ActionRefusedError(
            f"relation {number} exists already", f"Relatienummer {number} bestaat al."
        )
    relation = write_relation(session, office, data, source=actor)
    _record(session, row, actor, f"relatie {number} ({name}) aangemaakt met {value}")
    return relation


def switch_sbr(
    session: Session,
    office: Office,
    return_id: int,
    relation_number: str,
    *,
    enabled: bool,
    start_date: dt.date | None = None,
    actor: str,
) -> Relation:
    """Switch SBR on or off for the return's number at the relation. Switching on also sets
    the start date: the one given, or one day before the return's period when none is set or
    the one set is later than that (else the return would wait again, for another reason)."""
    row, kind, value = _waiting(session, office, return_id)
    identifier_type = KIND_RULES[kind].identifier_type
    start = start_date
    if enabled and start is None:
        current = _start_of(session, office, relation_number, identifier_type, value)
        proposed = default_start_date(row.period_start)
        if current is None or (proposed is not None and current > proposed):
            start = proposed
    relation = set_sbr_settings(
        session,
        office,
        relation_number,
        identifier_type,
        value,
        enabled=enabled,
        start_date=start,
        source=actor,
    )
    state = "aan" if enabled else "uit"
    moved = "" if start is None else f", startdatum {_day(start)}"
    _record(session, row, actor, f"SBR {state} voor {value} bij relatie {relation_number}{moved}")
    return relation


def sbr_on_where_held(session: Session, office: Office, return_id: int, *, actor: str) -> Relation:
    """Switch SBR on for the return's number at the one relation holding it (the bulk fix of
    ``sbr_disabled``); refused when several hold it: that one needs a choice on its page."""
    row, kind, value = _waiting(session, office, return_id)
    holders = find_candidates(session, office.id, KIND_RULES[kind].identifier_type, value)
    if len(holders) != 1:
        raise ActionRefusedError(
            f"return {return_id}: {len(holders)} relations hold {value}; choose on its page",
            f"Aangifte {return_id}: {len(holders)} relaties hebben {value}; kies op de pagina "
            "van de aangifte.",
        )
    return switch_sbr(
        session, office, row.id, holders[0].relation_number, enabled=True, actor=actor
    )


def add_product(
    session: Session, office: Office, return_id: int, relation_number: str, *, actor: str
) -> Relation:
    """Give the relation the active product that covers the return's kind."""
    row, kind, _value = _waiting(session, office, return_id)
    code = product_for(kind)
    document = relation_document(get_relation(session, office, relation_number, for_update=True))
    products = [
        {"code": p, "active": True, "period": None} if isinstance(p, str) else p
        for p in document["products"]
    ]
    for product in products:
        if product["code"] == code:
            product["active"] = True
            break
    else:
        products.append({"code": code, "active": True, "period": None})
    relation = update_relation(
        session, office, relation_number, {"products": products}, source=actor
    )
    name = next(spec.name for spec in CATALOGUE if spec.code == code)
    _record(session, row, actor, f"product {name} actief bij relatie {relation_number}")
    return relation


def set_legal_form(
    session: Session,
    office: Office,
    return_id: int,
    relation_number: str,
    legal_form: LegalForm,
    *,
    actor: str,
) -> Relation:
    """Set (or correct) the relation's legal form."""
    row, _kind, _value = _waiting(session, office, return_id)
    relation = update_relation(
        session, office, relation_number, {"legal_form": legal_form.value}, source=actor
    )
    _record(session, row, actor, f"rechtsvorm van relatie {relation_number}: {legal_form.value}")
    return relation


def person_made_from_contact(
    session: Session,
    office: Office,
    contact_number: str,
    organisation_number: str,
    actor: str,
) -> str:
    """ "Relatie aanmaken o.b.v. contact" for staff: the person relation (made once), and what
    happened in a Dutch sentence."""
    relation, warnings = create_relation_from_contact(
        session, office, contact_number, organisation_number=organisation_number, source=actor
    )
    if any("nothing was made" in warning for warning in warnings):
        return (
            f"Contact {contact_number} heeft al persoonsrelatie {relation.number}; er is niets "
            "aangemaakt."
        )
    copied = (
        " Controleer of het BSN van de persoon zelf is (het is overgenomen van de organisatie)."
        if warnings
        else ""
    )
    return f"Persoonsrelatie {relation.number} aangemaakt.{copied}"


def _waiting(
    session: Session, office: Office, return_id: int
) -> tuple[InboxReturn, ReturnKind, str]:
    row = get_return_for_update(session, office, return_id)
    if row.kind is None or row.identifier_normalised is None:
        raise _never_read(return_id)
    # A fix is advice for a return that waits for a place (issue 22, item 11): on any other
    # it would change the client records for nothing, and its history line would stand between
    # the last decision and undo.
    if row.status is not ReturnStatus.UNMATCHED:
        raise not_waiting(row)
    return row, row.kind, row.identifier_normalised


def _never_read(return_id: int) -> ActionRefusedError:
    """A fix asked for a message that was never read as a return (rejected unreadable)."""
    return ActionRefusedError(
        f"return {return_id} was never read as a return",
        f"Aangifte {return_id} is nooit als aangifte gelezen.",
    )


def _held(
    session: Session,
    office: Office,
    relation_number: str,
    identifier_type: IdentifierType,
    value: str,
) -> FiscalNumber | None:
    """The relation's fiscal number ``value`` of that type (the relation locked), if held."""
    relation = get_relation(session, office, relation_number, for_update=True)
    for number in relation.fiscal_numbers:
        if number.type is identifier_type and number.normalised == value:
            return number
    return None


def _start_of(
    session: Session,
    office: Office,
    relation_number: str,
    identifier_type: IdentifierType,
    value: str,
) -> dt.date | None:
    held = _held(session, office, relation_number, identifier_type, value)
    return None if held is None else held.sbr_start_date


def _record(
    session: Session,
    row: InboxReturn,
    actor: str,
    change: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """The fix in the return's history: who changed what (its state is unchanged until the
    change is decided on, after commit)."""
    record_event(session, row, actor=actor, trigger="fix", remark=change, detail=detail)


def _day(day: dt.date | None) -> str:
    return "-" if day is None else f"{day:%d-%m-%Y}"
