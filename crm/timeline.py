"""Timeline entries (tijdlijn): what happened on a relation, in words staff read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.changes import ChangeRow
from models import ChangeKind, TimelineEvent

__all__ = [
    "add_timeline_event",
    "change_text",
    "field_names",
    "lines_since",
    "number_label",
    "timeline_mark",
    "who",
]

# A relation document's fields as staff call them (the timeline is Dutch).
FIELD_NAMES = {
    "type": "relatietype",
    "memo": "memo",
    "category": "categorie",
    "group": "groep",
    "name": "naam",
    "legal_form": "rechtsvorm",
    "employee_count": "aantal medewerkers",
    "founding_date": "oprichtingsdatum",
    "kvk_number": "KvK-nummer",
    "industry": "branche",
    "display_name": "weergavenaam",
    "initials": "voorletters",
    "first_names": "voornamen",
    "last_name": "achternaam",
    "nickname": "roepnaam",
    "birthplace": "geboorteplaats",
    "marital_status": "burgerlijke staat",
    "phone": "telefoon",
    "mobile": "mobiel",
    "email": "e-mail",
    "invoice_email": "e-mail voor facturen",
    "visiting_address": "bezoekadres",
    "postal_address": "postadres",
    "invoice_address": "factuuradres",
    "fiscal_numbers": "fiscale nummers",
    "products": "producten",
    "contacts": "contactpersonen",
    "team": "team",
    "planner_rules": "plannerregels",
}
_NUMBER_TYPES = {"OB": "OB", "BSN_RSIN": "BSN/RSIN", "LH": "LH"}
#: The kinds of the lines the client records' writer adds (``crm.writer``).
RECORD_KINDS = ("relation_created", "relation_updated", *(kind.value for kind in ChangeKind))


def field_names(fields: list[str]) -> str:
    """``fiscal_numbers, legal_form`` as staff read it: ``fiscale nummers, rechtsvorm``."""
    return ", ".join(FIELD_NAMES.get(field, field.replace("_", " ")) for field in fields)


def number_label(identifier_type: str, normalised: str) -> str:
    """A fiscal number with its kind: ``BSN/RSIN 111222333``."""
    return f"{_NUMBER_TYPES.get(identifier_type, identifier_type)} {normalised}"


def who(source: str) -> str:
    """Who made a change, as the timeline names them: the staff member's e-mail, "import",
    or "medewerker"."""
    if source.startswith("staff:"):
        return source.removeprefix("staff:")
    return {"staff": "medewerker"}.get(source, source)


def change_text(change: ChangeRow) -> str:
    """A Dutch sentence for a change event, as the office's staff read their timeline."""
    number = number_label(change.identifier_type.value, change.normalised)
    detail = change.detail
    if change.kind is ChangeKind.FISCAL_NUMBER:
        return f"Fiscaal nummer {number} {'toegevoegd' if detail.get('added') else 'verwijderd'}"
    if change.kind is ChangeKind.SBR_SETTINGS:
        after = detail.get("after", {})
        state = "aan" if after.get("sbr_enabled") else "uit"
        start = after.get("sbr_start_date") or "geen"
        return f"SBR-instellingen van {number}: SBR {state}, startdatum {start}"
    if change.kind is ChangeKind.LEGAL_FORM:
        return f"Rechtsvorm gewijzigd: {detail.get('before')} -> {detail.get('after')} ({number})"
    if change.kind is ChangeKind.RELATION_TYPE:
        return f"Relatietype gewijzigd: {detail.get('before')} -> {detail.get('after')} ({number})"
    products = ", ".join(detail.get("after", [])) or "geen"
    return f"Producten gewijzigd, actief: {products} ({number})"


def add_timeline_event(
    session: Session, office_id: int, relation_id: int, kind: str, text: str, **refs: Any
) -> TimelineEvent:
    """Record an event on a relation's timeline (in the caller's transaction).

    Takes ids, so a task that knows them need not load the relation.
    """
    event = TimelineEvent(
        office_id=office_id, relation_id=relation_id, kind=kind, text=text, refs=refs
    )
    session.add(event)
    return event


def timeline_mark(session: Session, relation_id: int) -> int:
    """The relation's newest timeline line (0 for none): with :func:`lines_since`, which lines
    one staff action wrote, so that undoing it can take them back (``inbox.reversal``)."""
    newest: int | None = session.scalar(
        select(func.max(TimelineEvent.id)).where(TimelineEvent.relation_id == relation_id)
    )
    return newest or 0


def lines_since(session: Session, relation_id: int, mark: int) -> list[int]:
    """The ids of the relation's client-record lines (what the writer says of an edit) written
    after ``mark``. An edit holds the relation's lock, so they are this transaction's own; the
    inbox's lines (a return filed by a worker meanwhile) are not client-record lines."""
    session.flush()
    return list(
        session.scalars(
            select(TimelineEvent.id)
            .where(
                TimelineEvent.relation_id == relation_id,
                TimelineEvent.id > mark,
                TimelineEvent.kind.in_(RECORD_KINDS),
            )
            .order_by(TimelineEvent.id)
        )
    )
