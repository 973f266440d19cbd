"""Import and export of relations (docs/contracts.md), on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.csv_rows import document_from_csv
from crm.errors import InvalidRowsError
from crm.export import export_lines
from crm.importer import import_relations
from crm.offices import get_office
from models import Base, ChangeEvent, ChangeKind, Contact, TimelineEvent
from tests.support.factories import fiscal_number_row, full_relation, organisation_row


def _export(session: Session, office: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        "\n".join(export_lines(session, get_office(session, office)))
    )
    return document


def _row_counts(session: Session) -> dict[str, int]:
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


def test_import_then_export_returns_the_same_document(session: Session) -> None:
    person = {
        **dict.fromkeys(full_relation()),
        "number": "1001-1",
        "type": "person",
        "last_name": "Jansen",
        "first_names": "Jan",
        "fiscal_numbers": [],
        "products": [{"code": "aangifte_ib", "active": True, "period": "year"}],
        "contacts": [full_relation()["contacts"][0]],
        "team": [],
        "planner_rules": [],
    }
    document = {"office": "demo", "relations": [full_relation(), person]}
    import_relations(session, copy.deepcopy(document))
    assert _export(session, "demo") == document


def test_a_second_import_of_the_same_file_changes_nothing(session: Session) -> None:
    document = {"office": "demo", "relations": [full_relation()]}
    import_relations(session, document)
    before = _row_counts(session)
    report = import_relations(session, document)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert report.change_events == 0
    assert _row_counts(session) == before


def test_three_bad_rows_of_a_thousand_are_all_reported_and_nothing_changes(
    session: Session,
) -> None:
    import_relations(session, {"office": "demo", "relations": [organisation_row(number="1")]})
    before = _row_counts(session)
    rows = [organisation_row() for _ in range(1000)]
    rows[0] = organisation_row(number="1", name="Renamed B.V.")  # a valid update, not applied
    rows[10]["legal_form"] = None
    rows[500]["fiscal_numbers"] = [fiscal_number_row(value="NL001000045B37")]
    rows[999]["products"] = ["aangifte_xyz"]
    with pytest.raises(InvalidRowsError) as caught:
        import_relations(session, {"office": "demo", "relations": rows})
    reported = [(e.index, e.number, e.field) for e in caught.value.errors]
    assert reported == [
        (10, rows[10]["number"], "legal_form"),
        (500, rows[500]["number"], "fiscal_numbers[0].value"),
        (999, rows[999]["number"], "products[0]"),
    ]
    assert _row_counts(session) == before
    assert _export(session, "demo")["relations"][0]["name"] != "Renamed B.V."


def test_a_rejected_import_does_not_create_its_office(session: Session) -> None:
    with pytest.raises(InvalidRowsError):
        import_relations(session, {"office": "new", "relations": [{"number": "1"}]})
    assert _row_counts(session)["office"] == 0


def test_the_same_number_twice_in_one_file_is_reported(session: Session) -> None:
    with pytest.raises(InvalidRowsError) as caught:
        import_relations(
            session,
            {
                "office": "demo",
                "relations": [organisation_row(number="7"), organisation_row(number="7")],
            },
        )
    assert [(e.index, e.field) for e in caught.value.errors] == [(1, "number")]


def test_updating_a_relation_records_the_changes_matching_needs(session: Session) -> None:
    row = organisation_row(number="1001")
    import_relations(session, {"office": "demo", "relations": [row]})
    created = session.scalars(select(ChangeEvent)).all()
    assert [event.kind for event in created] == [ChangeKind.FISCAL_NUMBER]
    first_ids = {event.id for event in created}

    changed = copy.deepcopy(row)
    changed["fiscal_numbers"][0]["sbr_enabled"] = False
    changed["legal_form"] = "nv"
    changed["products"] = ["aangifte_ob", "aangifte_vpb"]
    report = import_relations(session, {"office": "demo", "relations": [changed]})
    assert report.updated == 1
    kinds = sorted(
        event.kind.value
        for event in session.scalars(select(ChangeEvent))
        if event.id not in first_ids
    )
    assert kinds == ["legal_form", "product", "sbr_settings"]
    texts = [event.text for event in session.scalars(select(TimelineEvent))]
    assert any("SBR uit" in text for text in texts)


def test_a_contact_email_belongs_to_one_contact(session: Session) -> None:
    first = organisation_row(contacts=[{"number": "C1", "last_name": "A", "email": "a@x.nl"}])
    import_relations(session, {"office": "demo", "relations": [first]})
    second = organisation_row(contacts=[{"number": "C2", "last_name": "B", "email": "a@x.nl"}])
    with pytest.raises(InvalidRowsError) as caught:
        import_relations(session, {"office": "demo", "relations": [second]})
    assert "contact C1" in caught.value.errors[0].message
    assert session.scalar(select(func.count()).select_from(Contact)) == 1


def test_copies_of_one_contact_must_agree(session: Session) -> None:
    rows = [
        organisation_row(contacts=[{"number": "C1", "last_name": "Jansen"}]),
        organisation_row(contacts=[{"number": "C1", "last_name": "Janssen"}]),
    ]
    with pytest.raises(InvalidRowsError) as caught:
        import_relations(session, {"office": "demo", "relations": rows})
    assert [(e.index, e.field) for e in caught.value.errors] == [(1, "contacts[0]")]


def test_a_period_the_product_does_not_have_is_refused(session: Session) -> None:
    row = organisation_row(products=[{"code": "aangifte_ib", "period": "month"}])
    with pytest.raises(InvalidRowsError) as caught:
        import_relations(session, {"office": "demo", "relations": [row]})
    assert caught.value.errors[0].field == "products[0].period"


def test_a_shared_fiscal_number_is_imported_with_a_warning(session: Session) -> None:
    number = fiscal_number_row()
    rows = [organisation_row(fiscal_numbers=[number]), organisation_row(fiscal_numbers=[number])]
    report = import_relations(session, {"office": "demo", "relations": rows})
    assert report.created == 2
    assert len(report.warnings) == 1
    assert rows[0]["number"] in report.warnings[0]
    assert rows[1]["number"] in report.warnings[0]


def test_csv_rows_get_the_same_validation_and_the_same_result(session: Session) -> None:
    text = (
        "number;type;name;legal_form;fiscal_numbers.0.type;fiscal_numbers.0.value;"
        "fiscal_numbers.0.sbr_enabled;visiting_address.postcode;products\n"
        "2001;organisation;Visser B.V.;bv;OB;NL001000044B37;true;1234 AB;aangifte_ob|opgaaf_icp\n"
    )
    import_relations(session, document_from_csv(text, "demo"))
    relation = _export(session, "demo")["relations"][0]
    assert relation["fiscal_numbers"][0]["sbr_enabled"] is True
    assert relation["products"] == ["aangifte_ob", "opgaaf_icp"]
    assert relation["visiting_address"]["postcode"] == "1234 AB"

    bad = text.replace("Visser B.V.;bv", "Visser B.V.;").replace("1234 AB", "12345")
    with pytest.raises(InvalidRowsError) as caught:
        import_relations(session, document_from_csv(bad, "demo"))
    assert {e.field for e in caught.value.errors} == {"visiting_address.postcode", "legal_form"}


def test_csv_cells_beyond_the_header_are_refused_not_dropped() -> None:
    document = document_from_csv("number,type\n1,person,extra\n", "demo")
    assert "cells beyond the header" in document["relations"][0]


def test_a_row_with_a_field_error_also_reports_its_missing_required_fields(
    session: Session,
) -> None:
    row = {"number": "7", "type": "organisation", "kvk_number": "12"}
    with pytest.raises(InvalidRowsError) as caught:
        import_relations(session, {"office": "demo", "relations": [row]})
    assert sorted(e.field for e in caught.value.errors) == ["kvk_number", "legal_form", "name"]


def test_a_btw_id_on_an_eenmanszaak_is_accepted_with_a_warning(session: Session) -> None:
    row = organisation_row(
        number="1002",
        legal_form="eenmanszaak",
        fiscal_numbers=[{"type": "OB", "value": "NL000099998B57", "sbr_enabled": True}],
    )
    report = import_relations(session, {"office": "demo", "relations": [row]})
    assert report.created == 1
    [warning] = [w for w in report.warnings if "btw-identificatienummer" in w]
    assert "relation 1002" in warning
    assert "NL000099998B57" in warning
