"""Contacts, and "relatie aanmaken o.b.v. contact" (create a relation from a contact).

Creating a relation from a contact makes a *person* relation with the contact's details and
number, linked to the contact, and copies the BSN/RSIN of the organisation the contact belongs
to, SBR settings included. That copy is how offices get a director's BSN onto a person relation
quickly, and also how an organisation's RSIN lands on a person by mistake: the caller gets a
warning to check it, and the inbox will report an ``ambiguous`` return until someone does.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.edits import write_relation
from crm.errors import CrmError
from crm.export import relation_document
from crm.queries import get_contact, get_relation
from models import Office, Relation, RelationContact, RelationType
from sbr_parser import IdentifierType

__all__ = ["create_relation_from_contact"]


def create_relation_from_contact(
    session: Session,
    office: Office,
    contact_number: str,
    *,
    organisation_number: str | None = None,
    source: str = "staff",
) -> tuple[Relation, list[str]]:
    """Create the contact's person relation; returns it and the warnings staff must read.

    Idempotent: when the contact already has a person relation, that one is returned and the
    warning says nothing was made (a second click must not make ``1002-2``). The contact is
    locked first, so a second click at the same moment waits for the first and then finds its
    relation, instead of making the same number (refused by the database) or the next one."""
    contact = get_contact(session, office, contact_number, for_update=True)
    existing = session.scalar(
        select(Relation)
        .join(RelationContact, RelationContact.relation_id == Relation.id)
        .where(
            RelationContact.office_id == office.id,
            RelationContact.contact_id == contact.id,
            Relation.type == RelationType.PERSON,
        )
        .order_by(Relation.id)
        .limit(1)
    )
    if existing is not None:
        return existing, [
            f"contact {contact.number} already has person relation {existing.number}; "
            "nothing was made"
        ]
    organisation = _organisation(session, office, contact.id, organisation_number)
    organisation_doc = relation_document(organisation)
    copied = [
        number
        for number in organisation_doc["fiscal_numbers"]
        if number["type"] == IdentifierType.BSN_RSIN.value
    ]
    contact_doc = next(c for c in organisation_doc["contacts"] if c["number"] == contact.number)
    data = {
        "number": _free_number(session, office, contact.number),
        "type": RelationType.PERSON.value,
        "initials": contact.initials,
        "first_names": contact.first_names,
        "last_name": contact.last_name,
        "phone": contact.phone,
        "mobile": contact.mobile,
        "email": contact.email,
        "fiscal_numbers": copied,
        "contacts": [contact_doc],
    }
    relation = write_relation(session, office, data, source=source)
    warnings = [
        f"BSN/RSIN {number['value']} was copied from {organisation.number}"
        f" ({organisation.name}): check that it is {relation.number}'s own BSN,"
        " not the organisation's RSIN"
        for number in copied
    ]
    return relation, warnings


def _organisation(
    session: Session, office: Office, contact_id: int, organisation_number: str | None
) -> Relation:
    linked = session.scalars(
        select(Relation.number)
        .join(RelationContact, RelationContact.relation_id == Relation.id)
        .where(
            RelationContact.office_id == office.id,
            RelationContact.contact_id == contact_id,
            Relation.type != RelationType.PERSON,
        )
        .order_by(Relation.number)
    ).all()
    if organisation_number is None:
        if len(linked) != 1:
            raise CrmError(
                "the contact belongs to no organisation"
                if not linked
                else f"the contact belongs to {', '.join(linked)}: say which organisation"
            )
        organisation_number = linked[0]
    elif organisation_number not in linked:
        raise CrmError(f"the contact is not linked to relation {organisation_number}")
    return get_relation(session, office, organisation_number)


def _free_number(session: Session, office: Office, wanted: str) -> str:
    """``wanted`` if no relation has it, else the first free ``wanted-1``, ``wanted-2``, ..."""
    taken = set(
        session.scalars(
            select(Relation.number).where(
                Relation.office_id == office.id,
                (Relation.number == wanted)
                | Relation.number.startswith(f"{wanted}-", autoescape=True),
            )
        )
    )
    candidate, suffix = wanted, 0
    while candidate in taken:
        suffix += 1
        candidate = f"{wanted}-{suffix}"
    return candidate
