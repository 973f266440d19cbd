"""Undo takes back everything a staff action did (issue 22, items 4 and 11).

The staff member's mistake the audit made: a sole trader's return (its OB number is P. Bakker's
BSN + B01) placed with "Nummer toevoegen aan deze relatie en plaatsen" on Jansen B.V., the wrong
relation. Before the fix, undo left Bakker's number on Jansen with SBR on (a colleague's bulk
"SBR inschakelen" would place the next return there again), the return's amount and a
betalingskenmerk made from Bakker's number on Jansen's workflow, and the return no longer named
its likely owner. Each scenario runs as production does: one unit of work per staff action,
the effects and re-decide handed on after commit (the embedded runner).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from crm.importer import import_relations
from crm.offices import get_office
from crm.queries import get_relation
from inbox.dispatch import EmbeddedDispatcher, install, unit_of_work
from inbox.errors import ActionRefusedError
from inbox.fixes import add_product, assign_adding_number
from inbox.intake import receive
from inbox.queries import history, return_detail
from inbox.runner import process_until_idle
from inbox.staff import staff_actor, undo
from models import (
    FiscalNumber,
    InboxReturn,
    ReturnStatus,
    make_engine,
    session_scope,
)
from planner.periods import Period
from planner.rules import create_workflow
from sbr_parser import message_builder as build
from tests.support.leftovers import relation_state

STAFF = staff_actor("anne@kantoor.example")
Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
JANSEN = "001000044B37"
BAKKER = "111222333B01"  # P. Bakker's BSN + B01: his eenmanszaak's omzetbelastingnummer


@pytest.fixture
def engine(own_database_url: str) -> Iterator[Engine]:
    install(EmbeddedDispatcher())
    engine = make_engine(own_database_url)
    yield engine
    engine.dispose()


def _office(engine: Engine, *, bakker_on_jansen: dict[str, Any] | None = None) -> None:
    """Jansen B.V. (1001, OB, SBR on) and P. Bakker (1002-1, a person with BSN 111222333);
    ``bakker_on_jansen``: Bakker's OB number already on Jansen, with these settings."""
    numbers = [{"type": "OB", "value": JANSEN, "sbr_enabled": True, "sbr_start_date": "2025-12-31"}]
    if bakker_on_jansen is not None:
        numbers.append({"type": "OB", "value": BAKKER, **bakker_on_jansen})
    with session_scope(engine) as session:
        import_relations(
            session,
            {
                "office": "demo",
                "relations": [
                    {
                        "number": "1001",
                        "type": "organisation",
                        "name": "Jansen B.V.",
                        "legal_form": "bv",
                        "fiscal_numbers": numbers,
                        "products": ["aangifte_ob"],
                    },
                    {
                        "number": "1002-1",
                        "type": "person",
                        "last_name": "Bakker",
                        "initials": "P.",
                        "fiscal_numbers": [
                            {"type": "BSN_RSIN", "value": "111222333", "sbr_enabled": True}
                        ],
                    },
                ],
            },
        )


def _deliver(engine: Engine, number: str, amount: int) -> int:
    with session_scope(engine) as session:
        office = get_office(session, "demo")
        data = build.ob_return(number, *Q1, amount_due=amount)
        return_id = receive(session, office, data, f"{number}.xbrl").id
    process_until_idle(engine, max_bytes=10_000_000)
    return return_id


def _relation_state(engine: Engine) -> dict[str, Any]:
    """Everything of Jansen B.V. the placement and its undo may touch."""
    with session_scope(engine) as session:
        relation = get_relation(session, get_office(session, "demo"), "1001")
        return relation_state(session, relation.id)


def _act(engine: Engine, action: Any) -> None:
    """One staff action: its own unit of work, effects and re-decide after commit."""
    with unit_of_work(engine) as session:
        action(session, get_office(session, "demo"))


def _place_bakker_on_jansen_and_undo(engine: Engine, return_id: int) -> dict[str, Any]:
    """The wrong placement, its effects run; then undo. Jansen's state in between."""
    _act(engine, lambda s, o: assign_adding_number(s, o, return_id, "1001", actor=STAFF))
    placed = _relation_state(engine)
    _act(engine, lambda s, o: undo(s, o, return_id, actor=STAFF))
    return placed


def _likely_owner_is_named(session: Session, return_id: int) -> None:
    row = session.get(InboxReturn, return_id)
    assert row is not None
    assert (row.status, row.reason) == (ReturnStatus.UNMATCHED, "no_relation")
    assert "begint met het BSN van 1002-1" in (row.explanation_nl or "")
    detail = return_detail(session, get_office(session, "demo"), return_id)
    assert [(c.relation_number, c.likely_owner) for c in detail.candidates] == [("1002-1", True)]


def test_undo_takes_back_the_number_the_payment_facts_the_dossier_and_the_timeline(
    engine: Engine,
) -> None:
    _office(engine)
    with session_scope(engine) as session:
        # A planned workflow of Jansen for Q1: no return, no amount, no kenmerk yet.
        create_workflow(session, get_office(session, "demo"), "1001", "aangifte_ob", Period(*Q1))
    bakker = _deliver(engine, BAKKER, 555)
    before = _relation_state(engine)

    placed = _place_bakker_on_jansen_and_undo(engine, bakker)

    # The placement did what it does (so the comparison below means something) ...
    assert ("OB", BAKKER, True, dt.date(2025, 12, 31), False) in placed["numbers"]
    [(_, status, amount, kenmerk, _)] = placed["workflows"]
    assert (status, amount) == ("review", Decimal(555))
    assert kenmerk is not None
    assert len(placed["documents"]) == 1
    assert len(placed["timeline"]) > len(before["timeline"])
    # ... and undo took back all of it.
    assert _relation_state(engine) == before
    with session_scope(engine) as session:
        _likely_owner_is_named(session, bakker)
        [undone] = [
            e for e in history(session, get_office(session, "demo"), bakker) if e.trigger == "undo"
        ]
        assert undone.actor == STAFF
        assert undone.detail["number_removed"] == BAKKER
        assert undone.detail["workflow_reset"]


def test_undo_restores_the_numbers_settings_and_recomputes_a_shared_workflow(
    engine: Engine,
) -> None:
    # Bakker's number was on Jansen already, SBR off, iDEAL on: the fix switches SBR on.
    _office(engine, bakker_on_jansen={"sbr_enabled": False, "sbr_ideal": True})
    jansen = _deliver(engine, JANSEN, 1000)  # placed: Jansen's workflow, amount and kenmerk
    bakker = _deliver(engine, BAKKER, 555)
    with session_scope(engine) as session:
        row = session.get(InboxReturn, bakker)
        assert row is not None
        assert (row.status, row.reason) == (ReturnStatus.UNMATCHED, "sbr_disabled")
    before = _relation_state(engine)

    placed = _place_bakker_on_jansen_and_undo(engine, bakker)

    [(_, _, amount, _, ideal)] = placed["workflows"]
    assert (amount, ideal) == (Decimal(555), True)  # Bakker's return passed them on
    assert _relation_state(engine) == before
    with session_scope(engine) as session:
        row = session.get(InboxReturn, bakker)
        assert row is not None
        assert (row.status, row.reason) == (ReturnStatus.UNMATCHED, "sbr_disabled")
        assert session.get(InboxReturn, jansen).status is ReturnStatus.MATCHED  # type: ignore[union-attr]


def test_a_number_a_later_return_was_placed_with_stays(engine: Engine) -> None:
    _office(engine)
    bakker = _deliver(engine, BAKKER, 555)
    _act(engine, lambda s, o: assign_adding_number(s, o, bakker, "1001", actor=STAFF))
    # The next quarter's return matches by the number the fix added ...
    with session_scope(engine) as session:
        office = get_office(session, "demo")
        data = build.ob_return(BAKKER, dt.date(2026, 4, 1), dt.date(2026, 6, 30))
        later = receive(session, office, data, "q2.xbrl").id
    process_until_idle(engine, max_bytes=10_000_000)
    _act(engine, lambda s, o: undo(s, o, bakker, actor=STAFF))
    with session_scope(engine) as session:
        assert session.get(InboxReturn, later).status is ReturnStatus.MATCHED  # type: ignore[union-attr]
        # ... so undoing the first placement leaves it where the later one needs it.
        held = session.scalar(select(FiscalNumber.id).where(FiscalNumber.normalised == BAKKER))
        assert held is not None
        [undone] = [
            e for e in history(session, get_office(session, "demo"), bakker) if e.trigger == "undo"
        ]
        assert undone.detail["number_kept"] == BAKKER


def test_a_fix_on_a_return_that_waits_for_nothing_is_refused(engine: Engine) -> None:
    _office(engine)
    jansen = _deliver(engine, JANSEN, 1000)  # matched
    with unit_of_work(engine) as session, pytest.raises(ActionRefusedError) as refused:
        add_product(session, get_office(session, "demo"), jansen, "1001", actor=STAFF)
    assert refused.value.dutch == f"Aangifte {jansen} wacht niet meer op plaatsing."
    with session_scope(engine) as session:
        # Nothing stands between the decision and a later undo.
        triggers = [e.trigger for e in history(session, get_office(session, "demo"), jansen)]
        assert triggers == ["received"]
