"""Ids in routes (issue 22, item 9): every route that takes a row id bounds it to the
database's integer range, so an id past 2^31 is "not found" (page) or refused (API, 422),
never a 500 from PostgreSQL's "integer out of range"."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from tests.api_fixtures import World
from tests.security.conftest import PASSWORD, csrf_of, sign_in

BEYOND = 2**31  # one past PostgreSQL's integer

# A form and a body every route would accept apart from the id, so that the id is the only
# thing wrong with the request (a route without the bound would run its action).
FORM = {
    "relation_number": "1001",
    "remark": "weg",
    "number": "1003",
    "name": "Nieuw B.V.",
    "enabled": "1",
    "legal_form": "bv",
    "contact_number": "1002",
    "organisation_number": "1002",
    "confirmed": "1",
}
BODY = {
    "relation_number": "1001",
    "remark": "weg",
    "number": "1003",
    "name": "Nieuw B.V.",
    "sbr_enabled": True,
    "legal_form": "bv",
}


def _routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (included := getattr(route, "original_router", None)) is not None:
            yield from _routes(included.routes)


def id_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path with the ids past the range) of every route with an integer path part."""
    found: list[tuple[str, str]] = []
    for route in _routes(app.routes):
        ints = [p.name for p in route.dependant.path_params if p.field_info.annotation is int]
        if not ints:
            continue
        path = route.path.replace("{office}", "a")
        for name in ints:
            path = path.replace(f"{{{name}}}", str(BEYOND))
        found.extend((method, path) for method in sorted(route.methods or ()))
    return found


def test_every_route_with_an_id_refuses_one_past_the_integer_range(world: World) -> None:
    routes = id_routes(world.client.app)  # type: ignore[arg-type]
    assert len(routes) >= 24  # the return's API and page routes, found by the walk
    assert sign_in(world.client, "staff@a.example", PASSWORD).status_code == 303
    csrf = csrf_of(world.client, "/")
    answers: dict[str, int] = {}
    for method, path in routes:
        if path.startswith("/api/"):
            response = world.client.request(
                method, path, json=BODY if method == "POST" else None, headers=world.auth()
            )
        else:
            response = world.client.request(
                method,
                path,
                data={**FORM, "csrf": csrf} if method == "POST" else None,
                follow_redirects=False,
            )
        answers[f"{method} {path}"] = response.status_code
    wrong = {route: code for route, code in answers.items() if code not in (404, 422)}
    assert wrong == {}


def test_a_bulk_fix_with_an_id_past_the_range_is_a_form_error(world: World) -> None:
    assert sign_in(world.client, "staff@a.example", PASSWORD).status_code == 303
    response = world.client.post(
        "/bulk",
        data={
            "action": "dismiss",
            "ids": [str(world.sbr_off), str(BEYOND)],
            "remark": "weg",
            "csrf": csrf_of(world.client, "/"),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "niet volledig of niet juist ingevuld" in world.client.get("/").text
    # All or nothing: the return with a good id was not dismissed either.
    api = world.client.get(f"/api/offices/a/returns/{world.sbr_off}", headers=world.auth())
    assert api.json()["status"] == "unmatched"
