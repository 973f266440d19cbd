"""Client records under races and hostile input (issue 22, items 3, 10, 12 and 15).

The races run two real transactions on PostgreSQL at once. A third connection holds a lock
both must pass after they have read the relation (the relation row ``FOR UPDATE``, or a row
with the key they will insert), the test waits until PostgreSQL shows both waiting, and only
then lets go: both have read the same state before either wrote, whatever the machine's
speed, so the outcome does not depend on timing.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm.edits import put_fiscal_number, update_relation
from crm.errors import InvalidRowsError
from crm.export import relation_document
from crm.importer import import_relations
from crm.offices import get_office
from crm.queries import get_relation, search_relations
from inbox.dispatch import unit_of_work
from models import (
    FiscalNumber,
    Office,
    Product,
    Relation,
    RelationProduct,
    make_engine,
    session_scope,
)
from models.base import table_of
from models.migrate import upgrade
from sbr_parser import IdentifierType
from tests.api_fixtures import World, build_world
from tests.database import ADMIN_URL
from tests.security.conftest import PASSWORD, csrf_of, sign_in
from tests.support.factories import jansen_holding
from tests.support.scratch import scratch_postgres_database

NEW_OB = "262157196B01"  # a valid OB number relation 1001 does not hold


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A migrated PostgreSQL database of this test's own (the races need real row locks)."""
    with scratch_postgres_database(ADMIN_URL, "sbr_inbox_records") as url:
        upgrade(url)
        yield url


@pytest.fixture
def postgres(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    with session_scope(engine) as session:
        import_relations(session, {"office": "a", "relations": [jansen_holding()]})
    yield engine
    engine.dispose()


def wait_for_waiters(engine: Engine, threads: list[threading.Thread]) -> None:
    """Until each of ``threads`` waits for a lock in this database (a condition on the
    database, polled; the deadline only turns a hang into a failure)."""
    deadline = time.monotonic() + 60
    with engine.connect() as connection:
        while True:
            waiting = connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            )
            connection.rollback()
            if waiting == len(threads):
                return
            if not all(thread.is_alive() for thread in threads) or time.monotonic() > deadline:
                pytest.fail(f"{waiting} connections wait for a lock, not {len(threads)}")
            time.sleep(0.01)


def race(
    engine: Engine, hold: Callable[[Session], None], actions: list[Callable[[], Any]]
) -> list[Any]:
    """Run ``actions`` in threads at once while a transaction holds what ``hold`` takes; let go
    when all of them wait for it. Returns each action's result or the exception it raised."""
    results: list[Any] = [None] * len(actions)
    start = threading.Barrier(len(actions) + 1)

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = actions[index]()
        except Exception as exc:  # the test looks at what each one raised
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    with Session(engine) as blocker, blocker.begin():
        hold(blocker)
        for thread in threads:
            thread.start()
        start.wait()
        wait_for_waiters(engine, threads)
        blocker.rollback()
    for thread in threads:
        thread.join()
    return results


def lock_relation_row(number: str) -> Callable[[Session], None]:
    def hold(session: Session) -> None:
        session.execute(select(Relation.id).where(Relation.number == number).with_for_update())

    return hold


def fiscal_rows(engine: Engine, number: str = "1001") -> list[tuple[str, str]]:
    with session_scope(engine) as session:
        return [
            (str(t.value), n)
            for t, n in session.execute(
                select(FiscalNumber.type, FiscalNumber.normalised)
                .join(Relation, Relation.id == FiscalNumber.relation_id)
                .where(Relation.number == number)
                .order_by(FiscalNumber.id)
            )
        ]


# -- item 3: a double-submitted "nummer toevoegen" ------------------------------------------


def test_two_concurrent_adds_of_one_number_leave_one_row(postgres: Engine) -> None:
    def add() -> str:
        with unit_of_work(postgres) as session:
            office = get_office(session, "a")
            relation = put_fiscal_number(
                session, office, "1001", IdentifierType.OB, NEW_OB, start_date=None, source="x"
            )
            return relation.number

    results = race(postgres, lock_relation_row("1001"), [add, add])

    assert results == ["1001", "1001"]  # the second found the number there and said so
    assert fiscal_rows(postgres) == [("OB", "001000044B37"), ("OB", NEW_OB)]
    with session_scope(postgres) as session:  # and the relation can be edited again
        update_relation(session, get_office(session, "a"), "1001", {"memo": "verder"})


def test_the_database_refuses_a_second_row_for_one_number(postgres: Engine) -> None:
    with session_scope(postgres) as session:
        relation = get_relation(session, get_office(session, "a"), "1001")
        double = {
            "office_id": relation.office_id,
            "relation_id": relation.id,
            "type": "OB",
            "value": "001000044b37",
            "normalised": "001000044B37",
            "sbr_enabled": False,
        }
    refused = "uq_fiscal_number_relation_id_type_normalised"
    with pytest.raises(IntegrityError, match=refused), session_scope(postgres) as session:
        session.execute(table_of(FiscalNumber).insert(), [double])


DOUBLES = [  # (value as entered, sbr_enabled, sbr_start_date): one number three times
    ("001000044B37", False, None),
    ("001000044b37", True, "2025-06-30"),
    ("NL001000044B37", True, "2024-12-31"),
]


def _insert_doubles(engine: Engine) -> None:
    """Relation 1001 with its OB number three times, written raw (as the race left them)."""
    with session_scope(engine) as session:
        import_relations(session, {"office": "a", "relations": [jansen_holding()]})
        relation = get_relation(session, get_office(session, "a"), "1001")
        session.execute(table_of(FiscalNumber).delete())
        session.execute(
            table_of(FiscalNumber).insert(),
            [
                {
                    "office_id": relation.office_id,
                    "relation_id": relation.id,
                    "type": "OB",
                    "value": value,
                    "normalised": "001000044B37",
                    "sbr_enabled": enabled,
                    "sbr_start_date": None if start is None else dt.date.fromisoformat(start),
                }
                for value, enabled, start in DOUBLES
            ],
        )


@pytest.fixture(params=["sqlite", "postgresql"])
def before_0013(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of either backend at the revision before the constraint."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'before-0013.db'}"
        upgrade(url, "0012")
        yield url
    else:
        with scratch_postgres_database(ADMIN_URL, "sbr_inbox_records") as url:
            upgrade(url, "0012")
            yield url


def test_the_migration_keeps_one_row_per_number_and_the_relation_works_again(
    before_0013: str,
) -> None:
    engine = make_engine(before_0013)
    try:
        _insert_doubles(engine)
        upgrade(before_0013)
        with session_scope(engine) as session:
            rows = session.execute(
                select(FiscalNumber.value, FiscalNumber.sbr_enabled, FiscalNumber.sbr_start_date)
            ).all()
            # SBR on beats off; then the earliest start date (it covers the most periods).
            assert [(v, e, str(s)) for v, e, s in rows] == [("NL001000044B37", True, "2024-12-31")]
            office = get_office(session, "a")
            document = relation_document(get_relation(session, office, "1001"))
            import_relations(session, {"office": "a", "relations": [document]})
            update_relation(session, office, "1001", {"memo": "weer te wijzigen"})
    finally:
        engine.dispose()


def test_a_relation_with_doubles_can_be_edited_and_exported_again(before_0013: str) -> None:
    # Without the constraint (a database not yet migrated): the edit path still takes them.
    engine = make_engine(before_0013)
    try:
        _insert_doubles(engine)
        with session_scope(engine) as session:
            office = get_office(session, "a")
            document = relation_document(get_relation(session, office, "1001"))
            assert [n["value"] for n in document["fiscal_numbers"]] == ["NL001000044B37"]
            update_relation(session, office, "1001", {"memo": "weer te wijzigen"})
        assert fiscal_rows(engine) == [("OB", "001000044B37")]
    finally:
        engine.dispose()


# -- item 10: double-submitted creations answer 409 in Dutch, never 500 ----------------------


@pytest.fixture
def world(postgres_url: str) -> Iterator[World]:
    """The API and the page on PostgreSQL (tests.api_fixtures' two offices and returns)."""
    yield from build_world(postgres_url)


def hold_new_row(model: type[Any], **values: Any) -> Callable[[Session], None]:
    """Insert a row with the key both requests will insert, uncommitted: each waits for it
    after it read that the key was free."""

    def hold(session: Session) -> None:
        office_id = session.scalar(select(Office.id).where(Office.code == "a"))
        session.execute(table_of(model).insert(), [{"office_id": office_id, **values}])

    return hold


def relation_numbers(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        office = get_office(session, "a")
        return list(
            session.scalars(
                select(Relation.number)
                .where(Relation.office_id == office.id)
                .order_by(Relation.number)
            )
        )


def post(world: World, path: str, body: dict[str, Any]) -> Callable[[], Response]:
    return lambda: world.client.post(f"/api/offices/a{path}", json=body, headers=world.auth())


NEW_RELATION = {"number": "2001", "name": "X", "legal_form": "bv"}


def test_two_staff_creating_one_relation_number_at_once_get_409_in_dutch(world: World) -> None:
    # Two waiting returns, two members, one new relation number "2001".
    results = race(
        world.engine,
        hold_new_row(Relation, number="2001", type="organisation", name="Y", legal_form="bv"),
        [
            post(world, f"/returns/{return_id}/fixes/relation", NEW_RELATION)
            for return_id in (world.sbr_off, world.unknown)
        ],
    )

    assert sorted(r.status_code for r in results) == [200, 409], results
    [refused] = [r for r in results if r.status_code == 409]
    assert refused.json()["dutch"] == "Relatie 2001 is al aangemaakt."
    assert "2001" in refused.json()["detail"]
    assert relation_numbers(world.engine).count("2001") == 1


def test_a_double_submitted_relation_on_the_page_says_it_is_made_already(world: World) -> None:
    browsers = [TestClient(world.client.app) for _ in range(2)]
    for browser in browsers:
        assert sign_in(browser, "staff@a.example", PASSWORD).status_code == 303

    def submit(browser: TestClient, return_id: int) -> Callable[[], Response]:
        path = f"/returns/{return_id}"
        form = {**NEW_RELATION, "csrf": csrf_of(browser, path)}
        return lambda: browser.post(
            f"{path}/fix/relation", data=form, headers={"referer": path}, follow_redirects=False
        )

    results = race(
        world.engine,
        hold_new_row(Relation, number="2001", type="organisation", name="Y", legal_form="bv"),
        [submit(browsers[0], world.sbr_off), submit(browsers[1], world.unknown)],
    )

    assert [r.status_code for r in results] == [303, 303], results
    shown = [
        browser.get(r.headers["location"]).text
        for browser, r in zip(browsers, results, strict=True)
    ]
    assert sum("Relatie 2001 is al aangemaakt." in page for page in shown) == 1
    assert sum("Relatie 2001 aangemaakt." in page for page in shown) == 1
    assert relation_numbers(world.engine).count("2001") == 1


def test_a_double_submitted_person_from_contact_is_made_once(world: World) -> None:
    # Contact 1002 of organisation 1002: its person relation is 1002-1.
    body = {"contact_number": "1002", "organisation_number": "1002"}
    results = race(
        world.engine,
        hold_new_row(Relation, number="1002-1", type="person", last_name="X"),
        [post(world, "/relations/from-contact", body) for _ in range(2)],
    )

    assert [r.status_code for r in results] == [200, 200], results
    # The second waited for the first and answers as a second click does: nothing made.
    assert sorted(r.json()["created"] for r in results) == [False, True]
    assert {r.json()["number"] for r in results} == {"1002-1"}
    assert [n for n in relation_numbers(world.engine) if n.startswith("1002")] == [
        "1002",
        "1002-1",
    ]


def test_a_double_submitted_product_is_added_once(world: World) -> None:
    with session_scope(world.engine) as session:
        office = get_office(session, "a")
        relation_id = get_relation(session, office, "1001").id
        product_id = session.scalar(
            select(Product.id).where(Product.office_id == office.id, Product.code == "opgaaf_icp")
        )
    results = race(
        world.engine,
        hold_new_row(RelationProduct, relation_id=relation_id, product_id=product_id),
        [post(world, "/relations/1001/products", {"code": "opgaaf_icp"}) for _ in range(2)],
    )

    assert [r.status_code for r in results] == [200, 200], results
    assert [r.json()["products"] for r in results] == [["aangifte_ob", "opgaaf_icp"]] * 2


# -- item 12: search takes % and _ as the characters typed ------------------------------------


@pytest.mark.parametrize("typed", ["%", "_", "%%", "1_0"])
def test_a_search_for_wildcard_characters_finds_only_those_characters(
    read_only_world: World, typed: str
) -> None:
    for path in ("/returns", "/relations"):
        answer = read_only_world.client.get(
            f"/api/offices/a{path}", params={"q": typed}, headers=read_only_world.auth()
        )
        assert answer.status_code == 200
        found = [item.get("id", item.get("number")) for item in answer.json()]
        assert found == [], f"{path}?q={typed} found {found}"


def test_a_search_finds_a_name_with_a_percent_sign_as_typed(session: Session) -> None:
    rows = [
        {**jansen_holding(), "number": number, "name": name, "fiscal_numbers": []}
        for number, name in (("1", "100% Zeker B.V."), ("2", "1000 Zeker B.V."), ("3", "A_B"))
    ]
    import_relations(session, {"office": "a", "relations": rows})
    office = get_office(session, "a")
    assert [r.name for r in search_relations(session, office, "100%")] == ["100% Zeker B.V."]
    assert [r.name for r in search_relations(session, office, "a_b")] == ["A_B"]
    assert [r.name for r in search_relations(session, office, "zeker")] == [
        "100% Zeker B.V.",
        "1000 Zeker B.V.",
    ]


# -- item 15: relation numbers a URL path can carry ------------------------------------------

UNSAFE_NUMBERS = ["A/1", "1001?x=1", "10#1", "..", ".", "10 01", "10%2F1", "10\\1", "1é"]


@pytest.mark.parametrize("number", UNSAFE_NUMBERS)
def test_an_import_refuses_a_relation_number_a_url_cannot_carry(
    session: Session, number: str
) -> None:
    with pytest.raises(InvalidRowsError) as refused:
        import_relations(
            session, {"office": "a", "relations": [{**jansen_holding(), "number": number}]}
        )
    assert [(e.field, e.number) for e in refused.value.errors] == [("number", number)]
    assert "letters, digits" in refused.value.errors[0].message


def test_the_numbers_relations_are_made_with_stay_valid(session: Session) -> None:
    # The demo's, the factories' and the benches' kinds of numbers.
    numbers = ["1001", "1002-1", "C1", "R0000001", "bench7", "kantoor-a.12", "A_1"]
    rows = [{**jansen_holding(), "number": number} for number in numbers]
    assert import_relations(session, {"office": "a", "relations": rows}).created == len(numbers)


def test_the_create_relation_fix_refuses_a_number_with_a_slash(world: World) -> None:
    answer = world.client.post(
        f"/api/offices/a/returns/{world.unknown}/fixes/relation",
        json={**NEW_RELATION, "number": "A/1"},
        headers=world.auth(),
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["field"] == "number"
    assert "A/1" not in relation_numbers(world.engine)


def test_the_page_says_in_dutch_which_relation_numbers_are_possible(world: World) -> None:
    browser = world.client
    assert sign_in(browser, "staff@a.example", PASSWORD).status_code == 303
    path = f"/returns/{world.unknown}"
    form = {**NEW_RELATION, "number": "A/1", "csrf": csrf_of(browser, path)}
    answer = browser.post(
        f"{path}/fix/relation", data=form, headers={"referer": path}, follow_redirects=False
    )
    assert answer.status_code == 303
    shown = browser.get(answer.headers["location"]).text
    assert "Een relatienummer bestaat uit letters, cijfers" in shown
    assert "A/1" not in relation_numbers(world.engine)


def test_a_relation_numbered_under_the_old_rule_can_still_be_edited(session: Session) -> None:
    import_relations(session, {"office": "a", "relations": [jansen_holding()]})
    office = get_office(session, "a")
    session.execute(
        table_of(Relation).update().where(Relation.number == "1001").values(number="10 01")
    )
    session.expire_all()
    update_relation(session, office, "10 01", {"memo": "nog steeds te wijzigen"})
    document = relation_document(get_relation(session, office, "10 01"))
    assert import_relations(session, {"office": "a", "relations": [document]}).unchanged == 1
