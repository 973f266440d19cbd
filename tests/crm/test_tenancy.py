"""No query function returns another office's rows (the README's Security section).

Two offices hold *identical* data (same relation numbers, same fiscal numbers, same contacts),
so a query that forgot its office filter would return rows of both. Every name in
``crm.queries.__all__`` must be listed here, so a new query function cannot skip this test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

import crm.queries
from crm.importer import import_relations
from crm.offices import get_office
from models import Document, Office
from sbr_parser import IdentifierType
from tests.support.factories import organisation_row

SHARED = {"type": "BSN_RSIN", "value": "111222333", "sbr_enabled": True}

# Each query's arguments after (session, office).
CALLS: dict[str, tuple[Any, ...]] = {
    "contacts": (),
    "document_page": ("1001",),
    "documents": ("1001",),
    "dossier_folders": ("1001",),
    "fiscal_numbers_by_value": (IdentifierType.BSN_RSIN, "111222333"),
    "get_contact": ("C1",),
    "get_relation": ("1001",),
    "relations": (),
    "relations_by_numbers": (["1001", "1002"],),
    "search_relations": ("100",),
    "shared_fiscal_numbers": (),
    "timeline": ("1001",),
    "timeline_page": ("1001",),
}


def _office_ids(result: Any) -> set[int]:
    """The office ids of every row in a query result, whatever its shape."""
    if hasattr(result, "office_id"):
        nested = set()
        for collection in ("fiscal_numbers", "addresses", "products", "contact_links", "roles"):
            for row in getattr(result, collection, []):
                nested.add(row.office_id)
        return {result.office_id} | nested
    if isinstance(result, dict):
        return set().union(*(_office_ids(value) for value in result.values()))
    if isinstance(result, (list, tuple)) or hasattr(result, "__iter__"):
        return set().union(*(_office_ids(value) for value in result))
    return set()


@pytest.fixture
def offices(session: Session) -> tuple[Office, Office]:
    for code in ("a", "b"):
        rows = [
            organisation_row(
                number=number,
                fiscal_numbers=[SHARED],
                contacts=[{"number": "C1", "last_name": "Jansen", "email": "jan@x.nl"}],
                team=[{"role": "accountmanager", "member": "pdv"}],
                group="Groep",
            )
            for number in ("1001", "1002")
        ]
        import_relations(session, {"office": code, "relations": rows})
        # The same document in both offices' dossiers of 1001.
        office = get_office(session, code)
        relation = crm.queries.get_relation(session, office, "1001")
        folder = crm.queries.dossier_folders(session, office, "1001")[0]
        session.add(
            Document(
                office_id=office.id, relation_id=relation.id, folder_id=folder.id, name="brief"
            )
        )
    session.flush()
    return get_office(session, "a"), get_office(session, "b")


def test_every_query_function_is_covered() -> None:
    assert sorted(CALLS) == sorted(crm.queries.__all__)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_query_returns_only_its_own_office(
    session: Session, offices: tuple[Office, Office], name: str
) -> None:
    query: Callable[..., Any] = getattr(crm.queries, name)
    for office in offices:
        result = query(session, office, *CALLS[name])
        if name == "shared_fiscal_numbers":
            # Its rows are relation numbers, not rows: each office sees its own two only.
            assert result == {("BSN_RSIN", "111222333"): ["1001", "1002"]}
            continue
        result = list(result) if name == "relations" else result
        assert _office_ids(result) == {office.id}, f"{name} crossed offices"
