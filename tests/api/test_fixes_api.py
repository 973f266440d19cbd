"""The review API's fixes: each of the eight reasons fixed as its sentence advises, the return
placed, the staff member credited; assignment that adds the number; bulk; the person from a
contact made once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from crm.importer import import_relations
from crm.offices import get_office
from inbox.intake import receive
from inbox.runner import process_until_idle
from models import Relation, session_scope
from sbr_parser import message_builder as build
from tests.api_fixtures import Q1, World
from tests.support.factories import organisation_row

Q2 = (Q1[0].replace(month=4), Q1[1].replace(month=6, day=30))
STAFF = "staff:staff@a.example"


def _deliver(world: World, data: bytes, relations: list[dict[str, Any]] | None = None) -> int:
    """Import ``relations`` into office a, deliver ``data`` there, decide it; its id."""
    with session_scope(world.engine) as session:
        if relations:
            import_relations(session, {"office": "a", "relations": relations})
        office = get_office(session, "a")
        return_id = receive(session, office, data, "r.xbrl").id
    process_until_idle(world.engine, max_bytes=10_000_000)
    return return_id


def _record(world: World, return_id: int) -> dict[str, Any]:
    response = world.client.get(f"/api/offices/a/returns/{return_id}", headers=world.auth())
    assert response.status_code == 200, response.text
    record: dict[str, Any] = response.json()
    return record


def _fix(world: World, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = world.client.post(f"/api/offices/a{path}", json=body, headers=world.auth())
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _placed_by_staff(world: World, return_id: int, relation: str) -> None:
    record = _record(world, return_id)
    assert (record["status"], record["relation_number"]) == ("matched", relation)
    history = record["history"]
    assert history[-1]["actor"] == STAFF  # the change's decision is credited to staff
    assert any(h["trigger"] == "fix" and h["actor"] == STAFF for h in history) or (
        history[-1]["trigger"] == "assign"
    )


def test_sbr_disabled_is_fixed_by_switching_sbr_on_with_a_start_date(world: World) -> None:
    assert _record(world, world.sbr_off)["reason"] == "sbr_disabled"
    answer = _fix(
        world,
        f"/returns/{world.sbr_off}/fixes/sbr",
        {"relation_number": "1001", "sbr_enabled": True},
    )
    assert answer["status"] == "matched"
    _placed_by_staff(world, world.sbr_off, "1001")
    relation = _fix_free_get(world, "/relations/1001")
    [ob] = [n for n in relation["fiscal_numbers"] if n["type"] == "OB"]
    assert ob["sbr_start_date"] == "2025-12-31"  # one day before the period, not silence


def test_no_relation_add_the_number_and_the_next_period_matches_by_itself(world: World) -> None:
    assert _record(world, world.unknown)["reason"] == "no_relation"
    _fix(world, f"/returns/{world.unknown}/fixes/number", {"relation_number": "1001"})
    _placed_by_staff(world, world.unknown, "1001")
    following = _deliver(world, build.ob_return("262157196B01", *Q2))
    assert _record(world, following)["relation_number"] == "1001"


def test_no_relation_create_a_relation_from_the_return(world: World) -> None:
    _fix(
        world,
        f"/returns/{world.unknown}/fixes/relation",
        {"number": "4001", "name": "Nieuw B.V.", "legal_form": "bv"},
    )
    _placed_by_staff(world, world.unknown, "4001")
    made = _fix_free_get(world, "/relations/4001")
    assert (made["type"], made["legal_form"], made["products"]) == (
        "organisation",
        "bv",
        ["aangifte_ob"],
    )
    taken = world.client.post(
        f"/api/offices/a/returns/{world.sbr_off}/fixes/relation",
        json={"number": "4001", "name": "Dubbel", "legal_form": "bv"},
        headers=world.auth(),
    )
    assert taken.status_code == 409


def test_wrong_relation_type_person_from_contact_then_product(world: World) -> None:
    # The IB return's BSN is only on the eenmanszaak 1002: the person is made from its contact.
    assert _record(world, world.ib)["reason"] == "wrong_relation_type"
    made = _fix(world, "/relations/from-contact", {"contact_number": "1002"})
    assert (made["number"], made["created"]) == ("1002-1", True)
    assert _record(world, world.ib)["reason"] == "no_product"  # the person files no IB yet
    _fix(world, f"/returns/{world.ib}/fixes/product", {"relation_number": "1002-1"})
    _placed_by_staff(world, world.ib, "1002-1")
    again = _fix(world, "/relations/from-contact", {"contact_number": "1002"})
    assert (again["number"], again["created"]) == ("1002-1", False)


def test_before_sbr_start_moves_the_start_date(world: World) -> None:
    late = organisation_row(
        number="3001",
        fiscal_numbers=[
            {"type": "OB", "value": "100000630B01", "sbr_enabled": True},
        ],
    )
    late["fiscal_numbers"][0]["sbr_start_date"] = "2026-06-01"
    return_id = _deliver(world, build.ob_return("100000630B01", *Q1), [late])
    assert _record(world, return_id)["reason"] == "before_sbr_start"
    _fix(
        world,
        f"/returns/{return_id}/fixes/sbr",
        {"relation_number": "3001", "sbr_enabled": True, "sbr_start_date": "2025-12-01"},
    )
    _placed_by_staff(world, return_id, "3001")


def test_ambiguous_switch_sbr_off_where_it_does_not_belong(world: World) -> None:
    number = {"type": "OB", "value": "100000721B01", "sbr_enabled": True}
    rows = [
        organisation_row(number="3002", fiscal_numbers=[dict(number)]),
        organisation_row(number="3003", fiscal_numbers=[dict(number)]),
    ]
    return_id = _deliver(world, build.ob_return("100000721B01", *Q1), rows)
    assert _record(world, return_id)["reason"] == "ambiguous"
    _fix(
        world,
        f"/returns/{return_id}/fixes/sbr",
        {"relation_number": "3003", "sbr_enabled": False},
    )
    _placed_by_staff(world, return_id, "3002")


def test_no_product_adds_the_product(world: World) -> None:
    bare = organisation_row(
        number="3004",
        fiscal_numbers=[{"type": "OB", "value": "100000770B01", "sbr_enabled": True}],
        products=[],
    )
    return_id = _deliver(world, build.ob_return("100000770B01", *Q1), [bare])
    assert _record(world, return_id)["reason"] == "no_product"
    _fix(world, f"/returns/{return_id}/fixes/product", {"relation_number": "3004"})
    _placed_by_staff(world, return_id, "3004")


def test_legal_form_missing_sets_it(world: World) -> None:
    formless = organisation_row(
        number="3005",
        fiscal_numbers=[{"type": "OB", "value": "100000812B01", "sbr_enabled": True}],
    )
    with session_scope(world.engine) as session:
        import_relations(session, {"office": "a", "relations": [formless]})
        # Records from before the legal form was required: the import refuses it today.
        session.execute(update(Relation).where(Relation.number == "3005").values(legal_form=None))
    return_id = _deliver(world, build.ob_return("100000812B01", *Q1))
    assert _record(world, return_id)["reason"] == "legal_form_missing"
    _fix(
        world,
        f"/returns/{return_id}/fixes/legal-form",
        {"relation_number": "3005", "legal_form": "bv"},
    )
    _placed_by_staff(world, return_id, "3005")


def test_invalid_identifier_is_placed_by_hand(world: World) -> None:
    return_id = _deliver(world, build.ob_return("123456789B01", *Q1))
    assert _record(world, return_id)["reason"] == "invalid_identifier"
    _fix(world, f"/returns/{return_id}/assign", {"relation_number": "1001"})
    _placed_by_staff(world, return_id, "1001")


def test_assign_adding_the_number(world: World) -> None:
    _fix(world, f"/returns/{world.unknown}/assign", {"relation_number": "1001", "add_number": True})
    _placed_by_staff(world, world.unknown, "1001")
    numbers = [n["value"] for n in _fix_free_get(world, "/relations/1001")["fiscal_numbers"]]
    assert "262157196B01" in numbers


def test_bulk_sbr_on_and_bulk_dismiss(world: World) -> None:
    second = _deliver(world, build.ob_return("001000044B37", *Q2))
    answers = world.client.post(
        "/api/offices/a/returns/bulk",
        json={"ids": [world.sbr_off, second], "action": "sbr_on"},
        headers=world.auth(),
    )
    assert answers.status_code == 200, answers.text
    assert [a["status"] for a in answers.json()] == ["matched", "matched"]
    refused = world.client.post(
        "/api/offices/a/returns/bulk",
        json={"ids": [world.unknown, world.ib], "action": "dismiss", "remark": " "},
        headers=world.auth(),
    )
    assert refused.status_code == 409
    assert _record(world, world.unknown)["status"] == "unmatched"  # all or nothing
    dismissed = _fix(
        world,
        "/returns/bulk",
        {"ids": [world.unknown, world.ib], "action": "dismiss", "remark": "testberichten"},
    )
    assert [d["status"] for d in dismissed] == ["dismissed", "dismissed"]  # type: ignore[index]


def _fix_free_get(world: World, path: str) -> dict[str, Any]:
    response = world.client.get(f"/api/offices/a{path}", headers=world.auth())
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer
