"""What staff should read about a relation's fiscal numbers: valid, but returns will not match.

One sentence per trap, used by the import report, the relation API and ``relations show``, so
staff read the same warning wherever the number was typed.
"""

from __future__ import annotations

from collections.abc import Iterable

from models import Relation
from sbr_parser import IdentifierType, is_btw_id

__all__ = ["fiscal_number_warnings", "relation_warnings"]


def fiscal_number_warnings(
    relation_number: str, numbers: Iterable[tuple[IdentifierType, str]]
) -> list[str]:
    """A warning per OB number that is a btw-identificatienummer (see ``is_btw_id``): a sole
    trader's returns carry the omzetbelastingnummer (BSN + B01), never the invoices' btw-id."""
    return [
        f"relation {relation_number}: OB number {value} looks like a btw-identificatienummer; "
        "returns carry the omzetbelastingnummer (BSN + B01), so they will not match it"
        for kind, value in numbers
        if kind is IdentifierType.OB and is_btw_id(value)
    ]


def relation_warnings(relation: Relation) -> list[str]:
    """The warnings of one stored relation's fiscal numbers."""
    return fiscal_number_warnings(
        relation.number, ((number.type, number.value) for number in relation.fiscal_numbers)
    )
