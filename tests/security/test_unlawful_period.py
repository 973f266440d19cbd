"""A return whose period is no lawful period of its product is not placed (issue 22, item 6b).

A matched OB return over one day made a workflow with a filing and a payment deadline, while
``workflows create`` refuses the same dates. Now the inbox asks the same check
(``planner.periods.lawful_period_kind``) and leaves such a return waiting with the reason
``unlawful_period`` and a sentence saying what to do; a staff member cannot place it by hand
either. Lawful periods (a month, a quarter, a year, a four-week period, an irregular first book
year of a company) are placed as before.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.importer import import_relations
from crm.offices import get_office
from inbox.errors import ActionRefusedError
from inbox.intake import receive
from inbox.process import process_return
from inbox.staff import assign, staff_actor
from models import InboxReturn, Office, ReturnStatus, Workflow
from planner.errors import PlannerError
from planner.periods import Period
from planner.rules import create_workflow
from sbr_parser import message_builder as build

D = dt.date
OB = "001000044B37"
BV = {
    "number": "1001",
    "type": "organisation",
    "name": "Jansen Holding B.V.",
    "legal_form": "bv",
    "fiscal_numbers": [
        {"type": "OB", "value": f"NL{OB}", "sbr_enabled": True},
        {"type": "BSN_RSIN", "value": "001000044", "sbr_enabled": True},
        {"type": "LH", "value": "001000044L02", "sbr_enabled": True},
    ],
    "products": ["aangifte_ob", "aangifte_vpb", "loonaangifte"],
}
PERSON = {
    "number": "1002",
    "type": "person",
    "last_name": "Bakker",
    "fiscal_numbers": [{"type": "BSN_RSIN", "value": "111222333", "sbr_enabled": True}],
    "products": ["aangifte_ib"],
}


@pytest.fixture
def office(session: Session) -> Office:
    import_relations(session, {"office": "demo", "relations": [BV, PERSON]})
    return get_office(session, "demo")


def deliver(session: Session, office: Office, data: bytes) -> InboxReturn:
    row = receive(session, office, data, "r.xbrl")
    process_return(session, row.id, max_bytes=10_000_000)
    session.refresh(row)
    return row


def workflows(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Workflow)) or 0


@pytest.mark.parametrize(
    ("start", "end"),
    [(D(2026, 3, 1), D(2026, 3, 1)), (D(2026, 3, 1), D(2026, 3, 2))],
    ids=["a single date", "two days"],
)
def test_an_ob_return_over_no_lawful_period_waits_as_unlawful_period(
    session: Session, office: Office, start: dt.date, end: dt.date
) -> None:
    row = deliver(session, office, build.ob_return(OB, start, end))
    assert (row.status, row.reason, row.workflow_id) == (
        ReturnStatus.UNMATCHED,
        "unlawful_period",
        None,
    )
    assert workflows(session) == 0
    dutch = row.explanation_nl or ""
    assert "geen aangiftetijdvak" in dutch
    assert "gecorrigeerde aangifte" in dutch
    assert "1001 (Jansen Holding B.V.)" in dutch
    assert "no lawful period" in (row.explanation_en or "")
    # The same dates `workflows create` refuses, by the same check.
    with pytest.raises(PlannerError):
        create_workflow(session, office, "1001", "aangifte_ob", Period(start, end))
    # Nor can staff place it by hand: the sentence says why.
    with pytest.raises(ActionRefusedError) as refused:
        assign(session, office, row.id, "1001", actor=staff_actor("anne@kantoor.example"))
    assert "geen aangiftetijdvak" in refused.value.dutch
    assert workflows(session) == 0


def test_a_suppletie_over_part_of_a_month_waits_a_half_year_is_a_correction(
    session: Session, office: Office
) -> None:
    day = deliver(session, office, build.ob_suppletie(OB, D(2026, 3, 1), D(2026, 3, 1)))
    assert (day.status, day.reason) == (ReturnStatus.UNMATCHED, "unlawful_period")
    half = deliver(session, office, build.ob_suppletie(OB, D(2026, 1, 1), D(2026, 6, 30)))
    assert half.status is ReturnStatus.MATCHED


@pytest.mark.parametrize(
    ("data", "start"),
    [
        (build.ob_return(OB, D(2026, 3, 1), D(2026, 3, 31)), D(2026, 3, 1)),  # a month
        (build.ob_return(OB, D(2026, 1, 1), D(2026, 3, 31)), D(2026, 1, 1)),  # a quarter
        (build.ib_return("111222333", 2025), D(2025, 1, 1)),  # a calendar year
        # Four-week period 2 of 2026 (Uitv.reg. AWR 1994, art. 28).
        (build.loonaangifte("001000044L02", D(2026, 1, 26), D(2026, 2, 22)), D(2026, 1, 26)),
        # A company's first book year, from its founding (Wet Vpb 1969, art. 7(4)).
        (build.vpb_return("001000044", D(2025, 3, 15), D(2025, 12, 31)), D(2025, 3, 15)),
    ],
    ids=["OB month", "OB quarter", "IB year", "LH four weeks", "VPB first book year"],
)
def test_lawful_periods_are_placed(
    session: Session, office: Office, data: bytes, start: dt.date
) -> None:
    row = deliver(session, office, data)
    assert (row.status, row.reason) == (ReturnStatus.MATCHED, None)
    workflow = session.get(Workflow, row.workflow_id)
    assert workflow is not None
    assert workflow.period_start == start
    assert workflow.deadline is not None
