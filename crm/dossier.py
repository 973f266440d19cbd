"""A relation's dossier: the default folder tree (the standard folders of a client record).

"Aangiften" receives the filed returns (by year, office-only); the WWFT folders hold what the
anti-money-laundering act makes the office keep. The tree is data, so an office's own standard
tree is a data change. Creating it for many relations at once costs two bulk inserts (top-level
folders, then their children), which is what keeps a 100,000-relation import fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import DossierFolder
from models.base import table_of
from models.db import refresh_statistics as refresh_table_statistics

__all__ = ["DEFAULT_TREE", "RETURNS_FOLDER", "FolderSpec", "create_default_dossiers"]


class FolderSpec(NamedTuple):
    """A folder, whether the client portal shows it, and its subfolders."""

    name: str
    client_visible: bool
    children: tuple[FolderSpec, ...] = ()


RETURNS_FOLDER = "Aangiften"

DEFAULT_TREE: tuple[FolderSpec, ...] = (
    FolderSpec(RETURNS_FOLDER, client_visible=False),
    FolderSpec("Correspondentie", client_visible=True),
    FolderSpec("Jaarstukken", client_visible=True),
    FolderSpec(
        "WWFT",
        client_visible=False,
        children=(
            FolderSpec("Aandeelhouders", client_visible=False),
            FolderSpec("Opdrachtbevestiging", client_visible=False),
            FolderSpec("Kopie uittreksel KVK", client_visible=False),
            FolderSpec("UBO/Due Diligence", client_visible=False),
            FolderSpec("ID-documenten", client_visible=False),
        ),
    ),
)


def create_default_dossiers(
    session: Session,
    office_id: int,
    relation_ids: Sequence[int],
    tree: Sequence[FolderSpec] = DEFAULT_TREE,
    *,
    refresh_statistics: bool = False,
) -> None:
    """Create ``tree`` under each of the new relations (two levels, as the default tree has).

    ``refresh_statistics`` re-plans the subfolders' parent check after the top level is in; a
    bulk import asks for it while the table grows (see :func:`models.db.refresh_statistics`).
    """
    if not relation_ids:
        return
    table = table_of(DossierFolder)
    session.execute(
        table.insert(),
        [
            {
                "office_id": office_id,
                "relation_id": relation_id,
                "parent_id": None,
                "name": spec.name,
                "client_visible": spec.client_visible,
            }
            for relation_id in relation_ids
            for spec in tree
        ],
    )
    parents = {spec.name: spec for spec in tree if spec.children}
    if not parents:
        return
    if refresh_statistics:
        refresh_table_statistics(session, DossierFolder)
    top_level = session.execute(
        select(DossierFolder.id, DossierFolder.relation_id, DossierFolder.name).where(
            DossierFolder.relation_id.in_(relation_ids),
            DossierFolder.parent_id.is_(None),
            DossierFolder.name.in_(parents),
        )
    )
    table = table_of(DossierFolder)
    session.execute(
        table.insert(),
        [
            {
                "office_id": office_id,
                "relation_id": relation_id,
                "parent_id": folder_id,
                "name": child.name,
                "client_visible": child.client_visible,
            }
            for folder_id, relation_id, name in top_level
            for child in parents[name].children
        ],
    )
