"""Create relation from contact, staff edits, and the change events they leave."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.contacts import create_relation_from_contact
from crm.edits import remove_fiscal_number, set_sbr_settings, update_relation
from crm.errors import CrmError, InvalidRowsError, NotFoundError
from crm.export import relation_document
from crm.importer import import_relations
from crm.offices import get_office
from crm.queries import dossier_folders, get_relation, shared_fiscal_numbers, timeline
from models import ChangeEvent, ChangeKind, Office, RelationType
from sbr_parser import IdentifierType
from tests.support.factories import organisation_row

CONTACT = {
    "number": "1001",
    "initials": "J.",
    "first_names": "Jan",
    "last_name": "Jansen",
    "email": "jan@example.nl",
}


@pytest.fixture
def office(session: Session) -> Office:
    eenmanszaak = organisation_row(
        number="1001",
        name="Jansen Installatietechniek",
        legal_form="eenmanszaak",
        fiscal_numbers=[
            {"type": "OB", "value": "111222333B01", "sbr_enabled": True},
            {
                "type": "BSN_RSIN",
                "value": "111222333",
                "sbr_enabled": True,
                "sbr_start_date": "2024-12-31",
            },
        ],
        contacts=[CONTACT],
    )
    import_relations(session, {"office": "demo", "relations": [eenmanszaak]})
    return get_office(session, "demo")


def test_relation_from_contact_copies_the_bsn_and_warns(session: Session, office: Office) -> None:
    relation, warnings = create_relation_from_contact(session, office, "1001")
    # The contact's number is taken by the organisation, so the person gets the next free one.
    assert relation.number == "1001-1"
    assert relation.type is RelationType.PERSON
    assert (relation.last_name, relation.first_names, relation.email) == (
        "Jansen",
        "Jan",
        "jan@example.nl",
    )
    [copied] = relation.fiscal_numbers
    assert (copied.type, copied.normalised, copied.sbr_enabled, copied.sbr_start_date) == (
        IdentifierType.BSN_RSIN,
        "111222333",
        True,
        dt.date(2024, 12, 31),
    )
    assert len(warnings) == 1
    assert "111222333" in warnings[0]
    assert "1001" in warnings[0]
    assert [c["number"] for c in relation_document(relation)["contacts"]] == ["1001"]
    assert shared_fiscal_numbers(session, office) == {("BSN_RSIN", "111222333"): ["1001", "1001-1"]}
    # The new relation is a full relation: its own dossier, timeline and change events.
    assert dossier_folders(session, office, "1001-1")
    assert timeline(session, office, "1001-1")
    events = session.scalars(
        select(ChangeEvent).where(ChangeEvent.relation_id == relation.id)
    ).all()
    assert [(e.kind, e.normalised) for e in events] == [(ChangeKind.FISCAL_NUMBER, "111222333")]


def test_making_the_person_twice_makes_it_once_and_says_so(
    session: Session, office: Office
) -> None:
    # The contact's number 1001 is the organisation's: the person gets 1001-1, and a second
    # click (or a second member at the same moment) gets that same relation, not 1001-2.
    first, _ = create_relation_from_contact(session, office, "1001")
    again, warnings = create_relation_from_contact(session, office, "1001")
    assert (first.number, again.id) == ("1001-1", first.id)
    assert warnings == ["contact 1001 already has person relation 1001-1; nothing was made"]


def test_a_contact_of_no_organisation_cannot_become_a_relation(
    session: Session, office: Office
) -> None:
    with pytest.raises(NotFoundError):
        create_relation_from_contact(session, office, "9999")
    with pytest.raises(CrmError, match="not linked"):
        create_relation_from_contact(session, office, "1001", organisation_number="2002")


def test_switching_sbr_on_is_a_change_event_for_that_number(
    session: Session, office: Office
) -> None:
    set_sbr_settings(session, office, "1001", IdentifierType.OB, "111222333B01", enabled=False)
    set_sbr_settings(
        session,
        office,
        "1001",
        IdentifierType.OB,
        "NL111222333B01",
        enabled=True,
        start_date=dt.date(2025, 12, 31),
    )
    events = session.scalars(
        select(ChangeEvent).where(ChangeEvent.kind == ChangeKind.SBR_SETTINGS)
    ).all()
    assert [(e.normalised, e.detail["after"]["sbr_enabled"]) for e in events] == [
        ("111222333B01", False),
        ("111222333B01", True),
    ]
    assert events[1].detail["after"]["sbr_start_date"] == "2025-12-31"
    assert events[1].detail["source"] == "staff"


def test_an_edit_is_validated_like_an_import_and_changes_nothing_when_invalid(
    session: Session, office: Office
) -> None:
    with pytest.raises(InvalidRowsError) as caught:
        update_relation(session, office, "1001", {"legal_form": None, "kvk_number": "12"})
    assert {e.field for e in caught.value.errors} == {"kvk_number"}
    with pytest.raises(InvalidRowsError) as caught:
        update_relation(session, office, "1001", {"legal_form": None})
    assert {e.field for e in caught.value.errors} == {"legal_form"}
    assert get_relation(session, office, "1001").legal_form == "eenmanszaak"


def test_setting_a_legal_form_is_a_change_for_each_fiscal_number(
    session: Session, office: Office
) -> None:
    update_relation(session, office, "1001", {"legal_form": "vof"})
    events = session.scalars(
        select(ChangeEvent).where(ChangeEvent.kind == ChangeKind.LEGAL_FORM)
    ).all()
    assert sorted(e.normalised for e in events) == ["111222333", "111222333B01"]
    assert events[0].detail == {"before": "eenmanszaak", "after": "vof", "source": "staff"}


def test_sbr_settings_of_a_number_the_relation_lacks(session: Session, office: Office) -> None:
    with pytest.raises(NotFoundError):
        set_sbr_settings(session, office, "1001", IdentifierType.LH, "111222333L01", enabled=True)


def test_removing_a_fiscal_number_is_a_change_event_and_a_timeline_line(
    session: Session, office: Office
) -> None:
    # Written differently from how it was entered: the number is still found.
    relation = remove_fiscal_number(
        session, office, "1001", IdentifierType.OB, "NL111222333B01", source="staff:an@x.nl"
    )
    assert [(n.type, n.normalised) for n in relation.fiscal_numbers] == [
        (IdentifierType.BSN_RSIN, "111222333")
    ]
    events = session.scalars(
        select(ChangeEvent).where(ChangeEvent.relation_id == relation.id)
    ).all()
    # The event is what makes the waiting returns with that number be decided again.
    assert [(e.kind, e.normalised, e.detail) for e in events[-1:]] == [
        (ChangeKind.FISCAL_NUMBER, "111222333B01", {"added": False, "source": "staff:an@x.nl"})
    ]
    texts = [event.text for event in timeline(session, office, "1001")]
    assert "Fiscaal nummer OB 111222333B01 verwijderd (an@x.nl)" in texts


def test_removing_a_number_the_relation_lacks_is_not_found(
    session: Session, office: Office
) -> None:
    with pytest.raises(NotFoundError, match="has no OB number"):
        remove_fiscal_number(
            session, office, "1001", IdentifierType.OB, "262157196B01", source="staff"
        )
    with pytest.raises(NotFoundError):
        remove_fiscal_number(session, office, "9999", IdentifierType.OB, "111222333B01")
    assert len(get_relation(session, office, "1001").fiscal_numbers) == 2
