"""The inbox on a real database: intake, decisions, versions, duplicates, re-decide, staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.contacts import create_relation_from_contact
from crm.edits import set_sbr_settings, update_relation
from crm.importer import import_relations
from crm.offices import get_office
from crm.queries import get_relation
from inbox.effects import file_in_dossier, start_workflow
from inbox.errors import ActionRefusedError, ReturnNotFoundError
from inbox.intake import receive
from inbox.process import process_return
from inbox.queries import get_return, history, list_returns, return_detail
from inbox.redecide import redecide_changes
from inbox.staff import assign, dismiss, staff_actor, undo
from models import Document, InboxReturn, Office, RawMessage, ReturnStatus, TimelineEvent, Workflow
from planner.periods import Period
from planner.rules import create_workflow
from sbr_parser import IdentifierType
from sbr_parser import message_builder as build
from tests.support.factories import organisation_row
from tests.support.leftovers import refers_to

D = dt.date
Q1 = (D(2026, 1, 1), D(2026, 3, 31))
STAFF = staff_actor("anne@kantoor.example")
BV = {
    "number": "1001",
    "type": "organisation",
    "name": "Jansen Holding B.V.",
    "legal_form": "bv",
    "fiscal_numbers": [
        {
            "type": "OB",
            "value": "NL001000044B37",
            "sbr_enabled": True,
            "sbr_start_date": "2025-12-31",
            "sbr_ideal": True,
        },
        {"type": "BSN_RSIN", "value": "001000044", "sbr_enabled": True},
        {"type": "LH", "value": "001000044L01", "sbr_enabled": False},
        {"type": "LH", "value": "001000044L02", "sbr_enabled": True},
    ],
    "products": ["aangifte_ob", "aangifte_vpb", "loonaangifte"],
}
EENMANSZAAK = {
    "number": "1002",
    "type": "organisation",
    "name": "Bakker Installatietechniek",
    "legal_form": "eenmanszaak",
    "fiscal_numbers": [
        {"type": "OB", "value": "111222333B01", "sbr_enabled": True},
        {"type": "BSN_RSIN", "value": "111222333", "sbr_enabled": True},
    ],
    "products": ["aangifte_ob", "aangifte_vpb"],
    "contacts": [{"number": "1002", "initials": "P.", "last_name": "Bakker"}],
}
SUPPLIER = {"number": "9001", "type": "supplier", "name": "Leverancier B.V."}


@pytest.fixture
def office(session: Session) -> Office:
    import_relations(session, {"office": "demo", "relations": [BV, EENMANSZAAK, SUPPLIER]})
    demo = get_office(session, "demo")
    create_relation_from_contact(session, demo, "1002")
    update_relation(session, demo, "1002-1", {"products": ["aangifte_ib"]})
    redecide_changes(session)  # nothing waits yet: the CRM's own change events are consumed
    return demo


def deliver(session: Session, office: Office, data: bytes, name: str = "r.xbrl") -> InboxReturn:
    row = receive(session, office, data, name)
    process_return(session, row.id, max_bytes=10_000_000)
    session.refresh(row)
    return row


def number_of(session: Session, row: InboxReturn) -> str | None:
    number: str | None = get_return(session, get_office(session, "demo"), row.id).relation_number
    return number


def test_a_return_is_matched_into_a_new_workflow(session: Session, office: Office) -> None:
    row = deliver(session, office, build.ob_return("001000044B37", *Q1))
    assert (row.status, row.version) == (ReturnStatus.MATCHED, 1)
    assert number_of(session, row) == "1001"
    workflow = session.get(Workflow, row.workflow_id)
    assert workflow is not None
    assert (workflow.period_start, workflow.period_end) == Q1
    assert workflow.ideal_payment is True  # the OB number's sbr_ideal
    assert "1001 (Jansen Holding B.V.)" in (row.explanation_nl or "")


def test_same_bytes_twice_is_a_duplicate_and_a_correction_is_version_2(
    session: Session, office: Office
) -> None:
    data = build.ob_return("001000044B37", *Q1)
    first = deliver(session, office, data)
    again = deliver(session, office, data, "again.xbrl")
    assert (again.status, again.duplicate_of_id, again.workflow_id) == (
        ReturnStatus.DUPLICATE,
        first.id,
        None,
    )
    # Stored once: both deliveries point at the same bytes.
    assert session.scalar(select(func.count()).select_from(RawMessage)) == 1
    corrected = deliver(session, office, build.ob_suppletie("001000044B37", *Q1))
    assert (corrected.status, corrected.workflow_id, corrected.version) == (
        ReturnStatus.MATCHED,
        first.workflow_id,
        2,
    )
    assert session.scalar(select(func.count()).select_from(Workflow)) == 1


def test_a_suppletie_over_several_periods_is_a_correction_without_a_deadline(
    session: Session, office: Office
) -> None:
    # 1001 files OB per quarter; its Q1 return is in the Q1 workflow.
    products = [{"code": "aangifte_ob", "period": "quarter"}, "aangifte_vpb", "loonaangifte"]
    update_relation(session, office, "1001", {"products": products})
    q1 = deliver(session, office, build.ob_return("001000044B37", *Q1))
    year = deliver(
        session, office, build.ob_suppletie("001000044B37", D(2026, 1, 1), D(2026, 12, 31))
    )
    assert (year.status, year.version) == (ReturnStatus.MATCHED, 1)
    assert year.workflow_id != q1.workflow_id
    correction = session.get(Workflow, year.workflow_id)
    assert correction is not None
    assert (correction.period_kind, correction.deadline, correction.payment_deadline) == (
        "correction",
        None,
        None,
    )
    assert correction.payment_reference is None
    # A suppletie for exactly the one quarter is the next version of that quarter's workflow.
    again = deliver(session, office, build.ob_suppletie("001000044B37", *Q1))
    assert (again.workflow_id, again.version) == (q1.workflow_id, 2)


def test_with_nothing_declared_a_suppletie_over_no_lawful_period_is_a_correction(
    session: Session, office: Office
) -> None:
    half = deliver(
        session, office, build.ob_suppletie("001000044B37", D(2026, 1, 1), D(2026, 6, 30))
    )
    workflow = session.get(Workflow, half.workflow_id)
    assert workflow is not None
    assert (workflow.period_kind, workflow.deadline) == ("correction", None)


def test_sbr_off_on_one_of_two_payroll_numbers(session: Session, office: Office) -> None:
    off = deliver(
        session, office, build.loonaangifte("001000044L01", D(2026, 1, 1), D(2026, 1, 31))
    )
    on = deliver(session, office, build.loonaangifte("001000044L02", D(2026, 1, 1), D(2026, 1, 31)))
    assert (off.status, off.reason) == (ReturnStatus.UNMATCHED, "sbr_disabled")
    assert on.status is ReturnStatus.MATCHED


def test_the_copied_bsn_ib_to_the_person_vpb_never_to_the_eenmanszaak(
    session: Session, office: Office
) -> None:
    ib = deliver(session, office, build.ib_return("111222333", 2025))
    assert ib.status is ReturnStatus.MATCHED
    assert number_of(session, ib) == "1002-1"
    vpb = deliver(session, office, build.vpb_return("111222333", D(2025, 1, 1), D(2025, 12, 31)))
    assert (vpb.status, vpb.reason) == (ReturnStatus.UNMATCHED, "wrong_relation_type")
    bv_vpb = deliver(session, office, build.vpb_return("001000044", D(2025, 1, 1), D(2025, 12, 31)))
    assert number_of(session, bv_vpb) == "1001"


def test_a_typo_in_the_number_and_an_unknown_number(session: Session, office: Office) -> None:
    typo = deliver(session, office, build.ob_return("001000045B37", *Q1))
    assert (typo.status, typo.reason) == (ReturnStatus.UNMATCHED, "invalid_identifier")
    unknown = deliver(session, office, build.ob_return("123456782B01", *Q1))
    assert (unknown.status, unknown.reason) == (ReturnStatus.UNMATCHED, "no_relation")


def test_two_offices_with_the_same_number_each_see_their_own(
    session: Session, office: Office
) -> None:
    import_relations(session, {"office": "other", "relations": [{**BV, "name": "Ander B.V."}]})
    other = get_office(session, "other")
    data = build.ob_return("001000044B37", *Q1)
    mine, theirs = deliver(session, office, data), deliver(session, other, data)
    assert mine.status is theirs.status is ReturnStatus.MATCHED
    assert theirs.duplicate_of_id is None  # the same bytes in another office are no duplicate
    assert "Ander B.V." in (theirs.explanation_nl or "")
    assert "Jansen Holding" in (mine.explanation_nl or "")
    assert [r.id for r in list_returns(session, other)] == [theirs.id]
    with pytest.raises(ReturnNotFoundError):
        get_return(session, other, mine.id)


def test_switching_sbr_on_re_decides_the_waiting_return(session: Session, office: Office) -> None:
    row = deliver(
        session, office, build.loonaangifte("001000044L01", D(2026, 2, 1), D(2026, 2, 28))
    )
    assert row.reason == "sbr_disabled"
    set_sbr_settings(session, office, "1001", IdentifierType.LH, "001000044L01", enabled=True)
    report = redecide_changes(session)
    assert report.returns_changed == 1
    session.refresh(row)
    assert row.status is ReturnStatus.MATCHED
    events = history(session, office, row.id)
    assert [(e.trigger, e.status.value, e.actor) for e in events] == [
        ("received", "unmatched", "system"),
        ("change", "matched", "system"),
    ]
    assert events[1].detail["changes"] == ["sbr_settings"]
    assert redecide_changes(session).events == 0  # handled once


def test_a_change_that_does_not_resolve_leaves_no_history(session: Session, office: Office) -> None:
    row = deliver(
        session, office, build.loonaangifte("001000044L01", D(2026, 2, 1), D(2026, 2, 28))
    )
    set_sbr_settings(session, office, "1001", IdentifierType.LH, "001000044L01", ideal=True)
    assert redecide_changes(session).returns_changed == 0
    assert len(history(session, office, row.id)) == 1


def test_staff_assign_undo_and_dismiss(session: Session, office: Office) -> None:
    row = deliver(session, office, build.ob_return("123456782B01", *Q1))
    assert row.reason == "no_relation"
    with pytest.raises(ActionRefusedError, match="cannot receive"):
        assign(session, office, row.id, "9001", actor=STAFF)  # a supplier: rule 3
    assign(session, office, row.id, "1001", actor=STAFF)
    assert (row.status, number_of(session, row)) == (ReturnStatus.MATCHED, "1001")
    undo(session, office, row.id, actor=STAFF)
    assert (row.status, row.reason, row.workflow_id) == (
        ReturnStatus.UNMATCHED,
        "no_relation",
        None,
    )
    with pytest.raises(ActionRefusedError):
        dismiss(session, office, row.id, "  ", actor=STAFF)
    dismiss(session, office, row.id, "Test message from the software vendor", actor=STAFF)
    assert row.status is ReturnStatus.DISMISSED
    events = history(session, office, row.id)
    assert [(e.trigger, e.actor) for e in events] == [
        ("received", "system"),
        ("assign", STAFF),
        ("undo", STAFF),
        ("dismiss", STAFF),
    ]
    assert events[-1].remark == "Test message from the software vendor"


def _placed_with_effects(session: Session, office: Office, number: str) -> InboxReturn:
    """A return nobody holds, assigned by staff to ``number``, its effects run."""
    row = deliver(session, office, build.ob_return("123456782B01", *Q1))
    assign(session, office, row.id, number, actor=STAFF)
    start_workflow(session, row.id)
    file_in_dossier(session, row.id)
    assert row.filed
    assert row.workflow_started
    return row


def _timeline(session: Session, relation_id: int) -> list[tuple[int, str]]:
    return [
        (line_id, text)
        for line_id, text in session.execute(
            select(TimelineEvent.id, TimelineEvent.text)
            .where(TimelineEvent.relation_id == relation_id)
            .order_by(TimelineEvent.id)
        )
    ]


def _refers_to(session: Session, relation_number: str, return_id: int) -> list[str]:
    relation = get_relation(session, get_office(session, "demo"), relation_number)
    return refers_to(session, relation.id, return_id)


def test_undoing_a_wrong_assignment_leaves_nothing_behind(session: Session, office: Office) -> None:
    relation = get_relation(session, office, "1001")
    timeline_before = _timeline(session, relation.id)
    row = _placed_with_effects(session, office, "1001")
    workflow_id = row.workflow_id
    assert _refers_to(session, "1001", row.id)  # document, workflow, timeline lines
    undo(session, office, row.id, actor=STAFF)
    session.flush()
    assert _refers_to(session, "1001", row.id) == []
    # The workflow this placement made is gone, and the timeline is as it was (issue 22); the
    # return's history says what was reversed and by whom.
    assert session.get(Workflow, workflow_id) is None
    assert _timeline(session, relation.id) == timeline_before
    [undone] = [e for e in history(session, office, row.id) if e.trigger == "undo"]
    assert undone.actor == STAFF
    assert undone.detail["workflow_removed"] == workflow_id
    assert undone.detail["document_removed"]
    # Placed again elsewhere, the return is filed and started there, once.
    assign(session, office, row.id, "1002", actor=STAFF)
    file_in_dossier(session, row.id)
    assert session.scalar(select(func.count()).where(Document.return_id == row.id)) == 1


def test_undo_leaves_a_planned_workflow_but_takes_the_return_out(
    session: Session, office: Office
) -> None:
    planned = create_workflow(session, office, "1001", "aangifte_ob", Period(*Q1))
    row = _placed_with_effects(session, office, "1001")
    assert (row.workflow_id, planned.status) == (planned.id, "review")
    undo(session, office, row.id, actor=STAFF)
    session.flush()
    session.refresh(planned)
    assert planned.status == "prepare"
    assert _refers_to(session, "1001", row.id) == []


def test_bad_input_is_rejected_and_kept(session: Session, office: Office) -> None:
    row = deliver(session, office, b"%PDF-1.7 not a return")
    assert (row.status, row.reason) == (ReturnStatus.REJECTED, "parse_error")
    assert row.explanation_nl
    assert process_return(session, row.id, max_bytes=100).changed is False
    assert session.scalar(select(RawMessage.data).where(RawMessage.id == row.message_id))


def _bakker_business() -> dict[str, Any]:
    """P. Bakker's eenmanszaak, without fiscal numbers."""
    return {
        "number": "1002",
        "type": "organisation",
        "name": "Bakker Installatietechniek",
        "legal_form": "eenmanszaak",
        "products": ["aangifte_ob"],
    }


def _bakker(*, sbr_enabled: bool) -> dict[str, Any]:
    """P. Bakker, the person whose BSN 111222333 a sole trader's OB number carries."""
    number = {"type": "BSN_RSIN", "value": "111222333", "sbr_enabled": sbr_enabled}
    return {
        "number": "1002-1",
        "type": "person",
        "last_name": "Bakker",
        "initials": "P.",
        "fiscal_numbers": [number],
    }


def test_a_sole_traders_return_names_the_likely_owner_but_is_not_placed(session: Session) -> None:
    # Only the btw-identificatienummer of the invoices is on the eenmanszaak; the return carries
    # the omzetbelastingnummer, the owner's BSN + B01.
    import_relations(
        session,
        {
            "office": "demo",
            "relations": [
                {
                    **_bakker_business(),
                    "fiscal_numbers": [
                        {"type": "OB", "value": "NL000099998B57", "sbr_enabled": True}
                    ],
                },
                _bakker(sbr_enabled=True),
            ],
        },
    )
    office = get_office(session, "demo")
    row = deliver(session, office, build.ob_return("111222333B01", *Q1))
    assert (row.status, row.reason) == (ReturnStatus.UNMATCHED, "no_relation")
    assert row.relation_id is None
    assert "begint met het BSN van 1002-1" in (row.explanation_nl or "")
    assert "starts with the BSN of 1002-1" in (row.explanation_en or "")
    detail = return_detail(session, office, row.id)
    assert [(c.relation_number, c.likely_owner) for c in detail.candidates] == [("1002-1", True)]


def test_the_business_linked_to_the_likely_owner_by_a_contact_is_named_too(
    session: Session,
) -> None:
    # The eenmanszaak holds no OB number at all; its owner and it share contact C7.
    contact = {"number": "C7", "initials": "P.", "last_name": "Bakker"}
    import_relations(
        session,
        {
            "office": "demo",
            "relations": [
                {**_bakker_business(), "contacts": [contact]},
                {**_bakker(sbr_enabled=False), "contacts": [contact]},
                organisation_row(number="1003", name="Ander B.V."),
            ],
        },
    )
    office = get_office(session, "demo")
    row = deliver(session, office, build.ob_return("111222333B01", *Q1))
    assert (row.status, row.reason, row.relation_id) == (
        ReturnStatus.UNMATCHED,
        "no_relation",
        None,
    )
    assert (
        "Via een gedeelde contactpersoon hoort bij deze persoon: 1002 (Bakker Installatietechniek)"
        in (row.explanation_nl or "")
    )
    detail = return_detail(session, office, row.id)
    assert [
        (c.relation_number, c.identifier_type, c.identifier, c.likely_owner)
        for c in detail.candidates
    ] == [("1002-1", "BSN_RSIN", "111222333", True), ("1002", "OB", "111222333B01", True)]
