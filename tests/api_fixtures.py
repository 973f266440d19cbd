"""API fixtures (a pytest plugin): an API on its own database with two offices, staff, tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from crm.importer import import_relations
from crm.offices import get_office
from crm.staff import add_staff, issue_token
from inbox.intake import receive
from inbox.runner import process_until_idle
from models import make_engine, session_scope
from sbr_parser import message_builder as build
from tests.support.factories import jansen_holding

Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
RELATIONS = [
    jansen_holding(sbr_enabled=False),
    {
        "number": "1002",
        "type": "organisation",
        "name": "Bakker",
        "legal_form": "eenmanszaak",
        "fiscal_numbers": [{"type": "BSN_RSIN", "value": "111222333", "sbr_enabled": True}],
        "products": ["aangifte_ob"],
        "contacts": [{"number": "1002", "last_name": "Bakker"}],
    },
    {"number": "9001", "type": "supplier", "name": "Leverancier B.V."},
]


@dataclass
class World:
    """What the API tests act on."""

    client: TestClient
    engine: Engine
    token_a: str
    token_b: str
    sbr_off: int  # an OB return unmatched because SBR is off at 1001
    unknown: int  # an OB return of a number nobody has
    ib: int  # an IB return whose BSN is only on the eenmanszaak

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token_a}"}


@pytest.fixture
def world(own_database_url: str) -> Iterator[World]:
    """The API on a database of its own: for tests that change data."""
    yield from build_world(own_database_url)


@pytest.fixture(scope="module")
def read_only_world(module_database_url: str) -> Iterator[World]:
    """The same, built once per module and backend: for tests that change nothing."""
    yield from build_world(module_database_url)


def build_world(database_url: str) -> Iterator[World]:
    """Two offices with identical relations, staff and returns; the API on them."""
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        for code in ("a", "b"):
            import_relations(session, {"office": code, "relations": RELATIONS})
            office = get_office(session, code)
            add_staff(session, office, f"staff@{code}.example", "correct horse battery")
            for name, data in (
                ("ob.xbrl", build.ob_return("001000044B37", *Q1)),
                ("unknown.xbrl", build.ob_return("262157196B01", *Q1)),
                ("ib.xbrl", build.ib_return("111222333", 2025)),
            ):
                receive(session, office, data, name)
        tokens = [issue_token(session, f"staff@{code}.example") for code in ("a", "b")]
    process_until_idle(engine, max_bytes=10_000_000)
    app = create_app(database_url)
    with TestClient(app) as client:
        yield World(client, engine, tokens[0], tokens[1], sbr_off=1, unknown=2, ib=3)
    app.state.engine.dispose()
    engine.dispose()


__all__ = ["Q1", "World", "build_world", "read_only_world", "world"]
