"""The planner run: due periods only, never twice, catch-up, concurrency, attach returns."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from crm.importer import import_relations
from crm.offices import get_office
from inbox.intake import receive
from inbox.process import process_return
from models import Office, Workflow, WorkflowSource, make_engine, session_scope
from models.migrate import upgrade
from planner.errors import PlannerError
from planner.periods import Period
from planner.queries import list_workflows
from planner.rules import create_workflow, deactivate_rule, run_planner, set_rule
from sbr_parser import message_builder as build
from tests.database import ADMIN_URL
from tests.support.factories import organisation_row
from tests.support.scratch import scratch_postgres_database

D = dt.date


def _office(session: Session) -> Office:
    row = organisation_row(
        number="1001",
        fiscal_numbers=[
            {
                "type": "OB",
                "value": "001000044B37",
                "sbr_enabled": True,
                "sbr_start_date": "2025-12-31",
            }
        ],
        products=["aangifte_ob", "loonaangifte"],
        team=[
            {"role": "accountmanager", "member": "anne"},
            {"role": "loonadministrateur", "member": "bram"},
        ],
    )
    import_relations(session, {"office": "demo", "relations": [row]})
    return get_office(session, "demo")


def _periods(session: Session) -> list[tuple[dt.date, dt.date]]:
    return [
        (w.period_start, w.period_end)
        for w in session.scalars(select(Workflow).order_by(Workflow.period_start))
    ]


def test_quarterly_ob_from_january_run_mid_july(session: Session) -> None:
    office = _office(session)
    set_rule(
        session, office, "1001", "aangifte_ob", period="quarter", first_period_start=D(2026, 1, 1)
    )
    report = run_planner(session, D(2026, 7, 15))
    assert report.workflows_made == 3
    assert _periods(session) == [
        (D(2026, 1, 1), D(2026, 3, 31)),
        (D(2026, 4, 1), D(2026, 6, 30)),
        (D(2026, 7, 1), D(2026, 9, 30)),
    ]
    assert run_planner(session, D(2026, 7, 15)).workflows_made == 0
    assert run_planner(session, D(2026, 9, 30)).workflows_made == 0
    workflows = list_workflows(session, office)
    assert [w.deadline for w in workflows] == ["2026-04-30", "2026-07-31", "2026-10-31"]
    assert {w.source for w in workflows} == {"planner"}
    assert workflows[0].steps[0] == {"name": "prepare", "member": "anne"}
    assert [s["name"] for s in workflows[0].steps] == [
        "prepare",
        "review",
        "client_approval",
        "submit",
        "done",
    ]


def test_the_lead_time_brings_the_next_period_forward(session: Session) -> None:
    office = _office(session)
    set_rule(
        session,
        office,
        "1001",
        "aangifte_ob",
        period="quarter",
        first_period_start=D(2026, 1, 1),
        create_days_before_start=20,
    )
    assert run_planner(session, D(2026, 9, 10)).workflows_made == 3  # Q4 due on 11 September
    assert run_planner(session, D(2026, 9, 11)).workflows_made == 1
    assert _periods(session)[-1] == (D(2026, 10, 1), D(2026, 12, 31))


def test_catch_up_and_never_before_the_first_period(session: Session) -> None:
    office = _office(session)
    set_rule(
        session,
        office,
        "1001",
        "loonaangifte",
        period="four_weeks",
        first_period_start=D(2025, 1, 1),
    )
    made = run_planner(session, D(2026, 1, 1)).workflows_made
    assert made == 14  # all 13 of 2025 (the job never ran) and the first of 2026
    periods = _periods(session)
    assert periods[0][0] == D(2025, 1, 1)
    # Art. 28: ISO week 1 of 2025 starts on Monday 30 December 2024, so period 13 starts 12
    # x 28 days later, on Monday 1 December 2025 (the old 28-day blocks from 1 January said
    # 3 December).
    assert periods[12] == (D(2025, 12, 1), D(2025, 12, 31))
    steps = list_workflows(session, office)[0].steps
    assert steps[0] == {"name": "prepare", "member": "bram"}


def test_a_deactivated_rule_makes_nothing(session: Session) -> None:
    office = _office(session)
    set_rule(
        session, office, "1001", "aangifte_ob", period="month", first_period_start=D(2026, 1, 1)
    )
    deactivate_rule(session, office, "1001", "aangifte_ob")
    assert run_planner(session, D(2026, 12, 31)).workflows_made == 0


def test_a_return_attaches_to_the_planned_workflow(session: Session) -> None:
    office = _office(session)
    set_rule(
        session, office, "1001", "aangifte_ob", period="quarter", first_period_start=D(2026, 1, 1)
    )
    run_planner(session, D(2026, 1, 1))
    [planned] = session.scalars(select(Workflow)).all()
    row = receive(
        session, office, build.ob_return("001000044B37", D(2026, 1, 1), D(2026, 3, 31)), "q1.xbrl"
    )
    process_return(session, row.id, max_bytes=10_000_000)
    assert row.workflow_id == planned.id
    assert session.scalar(select(func.count()).select_from(Workflow)) == 1
    assert planned.source is WorkflowSource.PLANNER
    assert list_workflows(session, office)[0].return_ids == [row.id]


def test_staff_create_a_workflow_for_a_period_already_started(session: Session) -> None:
    office = _office(session)
    workflow = create_workflow(
        session, office, "1001", "aangifte_ob", Period(D(2026, 10, 1), D(2026, 12, 31))
    )
    assert (workflow.source, workflow.deadline, workflow.period_kind) == (
        WorkflowSource.STAFF,
        D(2027, 1, 31),
        "quarter",
    )
    again = create_workflow(
        session, office, "1001", "aangifte_ob", Period(D(2026, 10, 1), D(2026, 12, 31))
    )
    assert again.id == workflow.id


def test_bad_rules_are_refused(session: Session) -> None:
    office = _office(session)
    with pytest.raises(Exception, match="filed per"):
        set_rule(
            session,
            office,
            "1001",
            "aangifte_ob",
            period="four_weeks",
            first_period_start=D(2026, 1, 1),
        )


@pytest.mark.service  # two processes' worth of connections on a scratch PostgreSQL database
def test_two_concurrent_runs_make_each_workflow_once() -> None:
    with scratch_postgres_database(ADMIN_URL, "sbr_inbox_planner") as url:
        upgrade(url)
        engine: Engine = make_engine(url)
        try:
            with session_scope(engine) as session:
                office = _office(session)
                for number in range(2, 202):
                    import_relations(
                        session,
                        {
                            "office": "demo",
                            "relations": [
                                organisation_row(
                                    number=str(1000 + number),
                                    fiscal_numbers=[],
                                    products=["aangifte_ob"],
                                )
                            ],
                        },
                    )
                    set_rule(
                        session,
                        office,
                        str(1000 + number),
                        "aangifte_ob",
                        period="month",
                        first_period_start=D(2025, 1, 1),
                    )
            made: list[int] = []
            barrier = threading.Barrier(2)

            def run() -> None:
                with session_scope(engine) as session:
                    barrier.wait()
                    made.append(run_planner(session, D(2026, 6, 15)).workflows_made)

            threads = [threading.Thread(target=run) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            with session_scope(engine) as session:
                total = session.scalar(select(func.count()).select_from(Workflow))
            assert total == 200 * 18  # Jan 2025 .. Jun 2026
            assert sum(made) == total
        finally:
            engine.dispose()


def test_planner_rules_come_in_with_the_relations_import(session: Session) -> None:
    row = organisation_row(
        number="1001",
        products=["aangifte_ob"],
        planner_rules=[
            {"product": "aangifte_ob", "period": "month", "first_period_start": "2026-01-01"}
        ],
    )
    import_relations(session, {"office": "demo", "relations": [row]})
    assert run_planner(session, D(2026, 3, 15)).workflows_made == 3
    # Re-imported with the rule switched off: no more workflows.
    row["planner_rules"][0]["active"] = False
    import_relations(session, {"office": "demo", "relations": [row]})
    assert run_planner(session, D(2026, 12, 31)).workflows_made == 0


def _four_weekly_payroll(session: Session) -> Office:
    """Relation 2001, whose payroll (LH 111222333L01) is filed per four weeks."""
    import_relations(
        session,
        {
            "office": "demo",
            "relations": [
                organisation_row(
                    number="2001",
                    fiscal_numbers=[{"type": "LH", "value": "111222333L01", "sbr_enabled": True}],
                    products=[{"code": "loonaangifte", "period": "four_weeks"}],
                )
            ],
        },
    )
    return get_office(session, "demo")


def test_a_four_weekly_rule_makes_the_lawful_periods_and_returns_land_in_them(
    session: Session,
) -> None:
    office = _four_weekly_payroll(session)
    set_rule(
        session,
        office,
        "2001",
        "loonaangifte",
        period="four_weeks",
        first_period_start=D(2026, 1, 1),
    )
    assert run_planner(session, D(2027, 12, 31)).workflows_made == 26
    workflows = list_workflows(session, office)
    # The lawful tables of 2026 and 2027, written out by hand in tests/planner/test_periods.py.
    from tests.planner.test_periods import FOUR_WEEKS_2026, FOUR_WEEKS_2027  # noqa: PLC0415

    lawful = FOUR_WEEKS_2026 + FOUR_WEEKS_2027
    assert [(w.period_start, w.period_end) for w in workflows] == [
        (p.start.isoformat(), p.end.isoformat()) for p in lawful
    ]
    # One month after each period's end: period 1 of 2026 (to 25 January) is due 25 February.
    assert workflows[0].deadline == "2026-02-25"
    assert workflows[12].deadline == "2027-01-31"
    assert {w.period_kind for w in workflows} == {"four_weeks"}
    # Loonaangiften for lawful periods land in the planned workflows and make no new ones.
    for period in (lawful[0], lawful[12], lawful[14]):
        row = receive(session, office, build.loonaangifte("111222333L01", *period), None)
        process_return(session, row.id, max_bytes=10_000_000)
        assert row.workflow_id is not None
    assert session.scalar(select(func.count()).select_from(Workflow)) == 26
    first = list_workflows(session, office)[0]
    # Worked out by hand: body 11122233 6 6 01 71 0; from the right 0,1,7,1,0,6,6,3,3,2,2,2,1,
    # 1,1 times 2,4,8,5,10,9,7,3,6,1,2,4,8,5,10 = 225; 225 mod 11 = 5; check digit 11 - 5 = 6.
    assert first.payment_reference == "6111222336601710"
    assert first.payment_deadline == "2026-02-25"  # one month after 25 January
    assert first.payment_account == "NL86 INGB 0002 4455 88"
    assert first.amount_due == "2756.00"  # TotTeBet of the builder's loonaangifte


def test_a_four_weekly_relation_without_a_rule_gets_the_four_week_deadline(
    session: Session,
) -> None:
    office = _four_weekly_payroll(session)
    # February 2027 is also four-week period 2 of 2027: as a month it would be due on
    # 31 March; as the four-week period this relation files, one month after 28 February.
    february = receive(
        session, office, build.loonaangifte("111222333L01", D(2027, 2, 1), D(2027, 2, 28)), None
    )
    process_return(session, february.id, max_bytes=10_000_000)
    [workflow] = list_workflows(session, office)
    assert (workflow.period_kind, workflow.deadline) == ("four_weeks", "2027-03-28")


def test_staff_cannot_make_a_workflow_for_a_period_that_does_not_exist(session: Session) -> None:
    office = _four_weekly_payroll(session)
    # 28 days from 1 January is not four-week period 1 of 2026 (1-25 January, art. 28).
    with pytest.raises(
        PlannerError,
        match=r"the four_weeks period containing 2026-01-01 is "
        r"2026-01-01\.\.2026-01-25",
    ):
        create_workflow(
            session, office, "2001", "loonaangifte", Period(D(2026, 1, 1), D(2026, 1, 28))
        )
    made = create_workflow(
        session, office, "2001", "loonaangifte", Period(D(2026, 1, 1), D(2026, 1, 25))
    )
    assert (made.period_kind, made.deadline, made.payment_deadline) == (
        "four_weeks",
        D(2026, 2, 25),
        D(2026, 2, 25),
    )
    # With nothing declared, any of the product's period kinds will do, and nothing else.
    ob = _office(session)
    with pytest.raises(PlannerError, match="not a month or quarter or year period"):
        create_workflow(session, ob, "1001", "aangifte_ob", Period(D(2026, 1, 1), D(2026, 6, 30)))
