"""The review API: every endpoint, unauthenticated (401) and across offices (404)."""

from __future__ import annotations

from typing import Any

import pytest

from crm.importer import import_relations
from models import session_scope
from tests.api_fixtures import World
from tests.support.factories import organisation_row

# (method, path under /api/offices/{office}, JSON body); {id} is office a's return 2.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/returns", None),
    ("GET", "/returns/{id}", None),
    ("GET", "/returns/{id}/raw", None),
    ("POST", "/returns/{id}/assign", {"relation_number": "1001"}),
    ("POST", "/returns/{id}/dismiss", {"remark": "test"}),
    ("POST", "/returns/{id}/undo", None),
    ("POST", "/returns/{id}/rerun", None),
    ("GET", "/relations", None),
    ("GET", "/relations/1001", None),
    ("POST", "/relations/1001/sbr", {"type": "OB", "value": "001000044B37", "sbr_enabled": True}),
    ("POST", "/relations/1001/products", {"code": "opgaaf_icp"}),
    ("POST", "/returns/{id}/fixes/number", {"relation_number": "1001"}),
    ("POST", "/returns/{id}/fixes/relation", {"number": "4001", "name": "X", "legal_form": "bv"}),
    ("POST", "/returns/{id}/fixes/sbr", {"relation_number": "1001", "sbr_enabled": True}),
    ("POST", "/returns/{id}/fixes/product", {"relation_number": "1001"}),
    ("POST", "/returns/{id}/fixes/legal-form", {"relation_number": "1001", "legal_form": "bv"}),
    ("POST", "/relations/from-contact", {"contact_number": "1002"}),
    ("POST", "/returns/bulk", {"ids": [2], "action": "dismiss", "remark": "x"}),
]


def _call(
    world: World, method: str, path: str, body: Any, *, office: str = "a", caller: str | None = "a"
) -> Any:
    headers = {}
    if caller is not None:
        headers = world.auth(world.token_a if caller == "a" else world.token_b)
    url = f"/api/offices/{office}{path.format(id=world.unknown)}"
    return world.client.request(method, url, json=body, headers=headers)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_every_endpoint_needs_a_token(
    read_only_world: World, method: str, path: str, body: Any
) -> None:
    world = read_only_world  # built once per module: these tests change nothing
    response = _call(world, method, path, body, caller=None)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    bad = world.client.request(
        method,
        f"/api/offices/a{path.format(id=2)}",
        json=body,
        headers={"Authorization": "Bearer nope"},
    )
    assert bad.status_code == 401


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_another_office_is_not_found(
    read_only_world: World, method: str, path: str, body: Any
) -> None:
    world = read_only_world  # built once per module: these tests change nothing
    # Office b's staff asking for office a's data, by a's path: as if it did not exist.
    assert _call(world, method, path, body, office="a", caller="b").status_code == 404
    # ... and by their own office's path with a's return id.
    if "{id}" in path:
        assert _call(world, method, path, body, office="b", caller="b").status_code == 404
    # Nothing of a changed.
    record = world.client.get(f"/api/offices/a/returns/{world.unknown}", headers=world.auth())
    assert record.json()["status"] == "unmatched"


def test_list_filters_and_search(read_only_world: World) -> None:
    world = read_only_world  # built once per module: these tests change nothing
    unmatched = world.client.get(
        "/api/offices/a/returns", params={"status": "unmatched"}, headers=world.auth()
    ).json()
    assert sorted(r["reason"] for r in unmatched) == [
        "no_relation",
        "sbr_disabled",
        "wrong_relation_type",
    ]
    found = world.client.get(
        "/api/offices/a/returns", params={"q": "262157196"}, headers=world.auth()
    ).json()
    assert [r["id"] for r in found] == [world.unknown]
    by_period = world.client.get(
        "/api/offices/a/returns",
        params={"period_start": "2026-01-01", "kind": "OB"},
        headers=world.auth(),
    ).json()
    assert sorted(r["id"] for r in by_period) == [world.sbr_off, world.unknown]
    paged = world.client.get(
        "/api/offices/a/returns", params={"limit": 1, "offset": 1}, headers=world.auth()
    ).json()
    assert [r["id"] for r in paged] == [2]
    assert (
        world.client.get(
            "/api/offices/a/returns", params={"limit": 0}, headers=world.auth()
        ).status_code
        == 422
    )


def test_one_return_with_history_candidates_and_raw(read_only_world: World) -> None:
    world = read_only_world  # built once per module: these tests change nothing
    body = world.client.get(f"/api/offices/a/returns/{world.ib}", headers=world.auth()).json()
    assert body["reason"] == "wrong_relation_type"
    assert [c["relation_number"] for c in body["candidates"]] == ["1002"]
    assert body["history"][0]["trigger"] == "received"
    raw = world.client.get(body["raw_url"], headers=world.auth())
    assert raw.status_code == 200
    assert raw.content.startswith(b"<?xml")


def test_assign_undo_dismiss_rerun(world: World) -> None:
    base = f"/api/offices/a/returns/{world.unknown}"
    refused = world.client.post(
        f"{base}/assign", json={"relation_number": "9001"}, headers=world.auth()
    )
    assert refused.status_code == 409
    assert "cannot receive" in refused.json()["detail"]
    missing = world.client.post(
        f"{base}/assign", json={"relation_number": "404"}, headers=world.auth()
    )
    assert missing.status_code == 409
    done = world.client.post(
        f"{base}/assign", json={"relation_number": "1001"}, headers=world.auth()
    ).json()
    assert (done["status"], done["relation_number"]) == ("matched", "1001")
    assert (done["workflow_started"], done["filed"]) == (True, True)  # embedded effects ran
    assert world.client.post(f"{base}/undo", headers=world.auth()).json()["status"] == "unmatched"
    assert world.client.post(f"{base}/rerun", headers=world.auth()).json()["reason"] == (
        "no_relation"
    )
    dismissed = world.client.post(
        f"{base}/dismiss", json={"remark": "vendor test"}, headers=world.auth()
    ).json()
    assert dismissed["status"] == "dismissed"
    assert (
        world.client.post(
            f"{base}/dismiss", json={"remark": "again"}, headers=world.auth()
        ).status_code
        == 409
    )
    history = world.client.get(base, headers=world.auth()).json()["history"]
    assert [h["trigger"] for h in history] == ["received", "assign", "undo", "rerun", "dismiss"]
    assert history[1]["actor"] == "staff:staff@a.example"


def test_switching_sbr_on_places_the_waiting_return(world: World) -> None:
    response = world.client.post(
        "/api/offices/a/relations/1001/sbr",
        json={
            "type": "OB",
            "value": "NL001000044B37",
            "sbr_enabled": True,
            "sbr_start_date": "2025-12-31",
        },
        headers=world.auth(),
    )
    assert response.status_code == 200, response.text
    assert response.json()["returns_redecided"] == 1
    record = world.client.get(
        f"/api/offices/a/returns/{world.sbr_off}", headers=world.auth()
    ).json()
    assert (record["status"], record["relation_number"]) == ("matched", "1001")
    # Its workflow with the payment facts, written out by hand for OB 001000044B37, Q1 2026:
    # 00100004 + tax 1 + year 6 + subnumber 37 + quarter code 21 + 0, check digit 10 -> 1.
    workflow = record["workflow"]
    assert (workflow["deadline"], workflow["payment_deadline"]) == ("2026-04-30", "2026-04-30")
    assert workflow["payment_reference"] == "1001000041637210"
    assert workflow["payment_account"] == "NL86 INGB 0002 4455 88"  # paid by 30 April
    assert workflow["amount_due"] == "3240.00"
    assert workflow["return_ids"] == [world.sbr_off]
    # Office b's identical return is untouched.
    other = world.client.get("/api/offices/b/returns/4", headers=world.auth(world.token_b))
    assert other.json()["status"] == "unmatched"


def test_relations_search_show_and_add_product(world: World) -> None:
    found = world.client.get(
        "/api/offices/a/relations", params={"q": "jansen"}, headers=world.auth()
    ).json()
    assert [r["number"] for r in found] == ["1001"]
    shown = world.client.get("/api/offices/a/relations/1001", headers=world.auth()).json()
    assert shown["fiscal_numbers"][0]["sbr_enabled"] is False
    added = world.client.post(
        "/api/offices/a/relations/1001/products", json={"code": "opgaaf_icp"}, headers=world.auth()
    ).json()
    assert added["products"] == ["aangifte_ob", "opgaaf_icp"]
    bad = world.client.post(
        "/api/offices/a/relations/1001/products", json={"code": "nope"}, headers=world.auth()
    )
    assert bad.status_code == 422
    assert world.client.get("/api/offices/a/relations/404", headers=world.auth()).status_code == (
        404
    )


def test_nul_characters_are_refused_not_a_server_error(world: World) -> None:
    # Found by the schema fuzz test on PostgreSQL, whose text type cannot hold NUL.
    query = world.client.get("/api/offices/a/returns", params={"q": "\x00"}, headers=world.auth())
    assert query.status_code == 400
    body = world.client.post(
        f"/api/offices/a/returns/{world.unknown}/dismiss",
        json={"remark": "a\x00b"},
        headers=world.auth(),
    )
    assert body.status_code == 422


def test_a_search_for_a_digit_that_is_no_number_is_an_empty_answer(world: World) -> None:
    # Found by the schema fuzz test: '²' is a digit to str.isdigit() but not to int().
    for query in ("²", "①"):
        found = world.client.get(
            "/api/offices/a/returns", params={"q": query}, headers=world.auth()
        )
        assert found.status_code == 200, query
        assert found.json() == []


def test_a_btw_id_on_a_relation_is_warned_about_wherever_it_is_read(world: World) -> None:
    with session_scope(world.engine) as session:
        import_relations(
            session,
            {
                "office": "a",
                "relations": [
                    organisation_row(
                        number="2002",
                        legal_form="eenmanszaak",
                        fiscal_numbers=[{"type": "OB", "value": "NL000099998B57"}],
                    )
                ],
            },
        )
    shown = world.client.get("/api/offices/a/relations/2002", headers=world.auth()).json()
    [warning] = shown["warnings"]
    assert "NL000099998B57" in warning
    assert "btw-identificatienummer" in warning
    # An edit answers with the same warning; a relation with an omzetbelastingnummer has none.
    edited = world.client.post(
        "/api/offices/a/relations/2002/sbr",
        json={"type": "OB", "value": "NL000099998B57", "sbr_enabled": True},
        headers=world.auth(),
    ).json()
    assert edited["warnings"] == [warning]
    clean = world.client.get("/api/offices/a/relations/1001", headers=world.auth()).json()
    assert clean["warnings"] == []
