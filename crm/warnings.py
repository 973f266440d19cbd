"""What staff should read about a relation's fiscal numbers: valid, but returns will not match.

One sentence per trap, used by the import report, the relation API and ``relations show``, so
staff read the same warning wherever the number was typed.
"""

from __future__ import annotations

from collections.abc import Iterable

from models import Relation
from sbr_parser import IdentifierType, is_btw_id

__all__ = ["fiscal_number_warnings", "relation_warnings"]


BTW_ID = (
    "relation {relation}: OB number {value} looks like a btw-identificatienummer; returns carry "
    "the omzetbelastingnummer (BSN + B01), so they will not match it"
)
BTW_ID_DUTCH = (
    "OB-nummer {value} lijkt een btw-identificatienummer (van de facturen); aangiften dragen "
    "het omzetbelastingnummer (BSN + B01) en worden hier dus niet mee geplaatst."
)


def fiscal_number_warnings(
    relation_number: str, numbers: Iterable[tuple[IdentifierType, str]], *, dutch: bool = False
) -> list[str]:
    """A warning per OB number that is a btw-identificatienummer (see ``is_btw_id``): a sole
    trader's returns carry the omzetbelastingnummer (BSN + B01), never the invoices' btw-id.
    English for the API and CLI, ``dutch`` for the staff page."""
    template = BTW_ID_DUTCH if dutch else BTW_ID
    return [
        template.format(relation=relation_number, value=value)
        for kind, value in numbers
        if kind is IdentifierType.OB and is_btw_id(value)
    ]


def relation_warnings(relation: Relation, *, dutch: bool = False) -> list[str]:
    """The warnings of one stored relation's fiscal numbers."""
    return fiscal_number_warnings(
        relation.number,
        ((number.type, number.value) for number in relation.fiscal_numbers),
        dutch=dutch,
    )
