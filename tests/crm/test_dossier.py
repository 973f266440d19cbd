"""A new relation's dossier: the default tree, and folder names unique among siblings."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm.dossier import DEFAULT_TREE, RETURNS_FOLDER
from crm.importer import import_relations
from crm.offices import get_office
from crm.queries import dossier_folders, get_relation
from models import DossierFolder
from tests.support.factories import organisation_row


def test_a_new_relation_gets_the_default_tree(session: Session) -> None:
    import_relations(session, {"office": "demo", "relations": [organisation_row(number="1")]})
    folders = dossier_folders(session, get_office(session, "demo"), "1")
    by_id = {folder.id: folder for folder in folders}
    tree = {
        (by_id[f.parent_id].name if f.parent_id else None, f.name, f.client_visible)
        for f in folders
    }
    expected = {(None, spec.name, spec.client_visible) for spec in DEFAULT_TREE} | {
        (spec.name, child.name, child.client_visible)
        for spec in DEFAULT_TREE
        for child in spec.children
    }
    assert tree == expected
    assert (None, RETURNS_FOLDER, False) in tree
    assert ("WWFT", "UBO/Due Diligence", False) in tree


def test_a_top_level_name_is_unique_per_relation(session: Session) -> None:
    import_relations(session, {"office": "demo", "relations": [organisation_row(number="1")]})
    relation = get_relation(session, get_office(session, "demo"), "1")
    session.add(
        DossierFolder(office_id=relation.office_id, relation_id=relation.id, name=RETURNS_FOLDER)
    )
    with pytest.raises(IntegrityError):
        session.flush()
