"""Which relations can receive which return kind (docs/domain.md, matching rules), as data.

One row per kind: the fiscal number type it is matched on, the relation types that can receive
it, and - for organisation-like relations - the legal forms that can. ``None`` for legal forms
means "any, but it must be set": the client record makes the legal form mandatory for an
organisation whose returns go through the SBR inbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from matching.codes import LegalForm, RelationType
from sbr_parser import IdentifierType, ReturnKind

__all__ = [
    "KIND_RULES",
    "KindRule",
    "can_receive",
    "lacks_legal_form",
    "legal_form_stops_it",
]


class KindRule(NamedTuple):
    """What a relation needs to receive one kind of return."""

    identifier_type: IdentifierType
    relation_types: frozenset[RelationType]
    legal_forms: frozenset[LegalForm] | None


_ANY_CLIENT = frozenset({RelationType.ORGANISATION, RelationType.PERSON, RelationType.INTERNAL})
_VPB_LIABLE = frozenset(
    {
        LegalForm.BV,
        LegalForm.NV,
        LegalForm.COOPERATIE,
        LegalForm.STICHTING,
        LegalForm.VERENIGING,
        LegalForm.OTHER,
    }
)

KIND_RULES: dict[ReturnKind, KindRule] = {
    ReturnKind.OB: KindRule(IdentifierType.OB, _ANY_CLIENT, None),
    ReturnKind.OB_SUPPLETIE: KindRule(IdentifierType.OB, _ANY_CLIENT, None),
    ReturnKind.ICP: KindRule(IdentifierType.OB, _ANY_CLIENT, None),
    ReturnKind.LH: KindRule(IdentifierType.LH, _ANY_CLIENT, None),
    ReturnKind.IB: KindRule(IdentifierType.BSN_RSIN, frozenset({RelationType.PERSON}), None),
    ReturnKind.VPB: KindRule(
        IdentifierType.BSN_RSIN,
        frozenset({RelationType.ORGANISATION, RelationType.INTERNAL}),
        _VPB_LIABLE,
    ),
}

# Relation types that have a legal form (rechtsvorm); a person has none.
_ORGANISATION_LIKE = frozenset({RelationType.ORGANISATION, RelationType.INTERNAL})
# Only these must have their legal form set to receive returns (a rule of the client record).
_LEGAL_FORM_REQUIRED = frozenset({RelationType.ORGANISATION})


def can_receive(
    kind: ReturnKind, relation_type: RelationType, legal_form: LegalForm | None
) -> bool:
    """Whether a relation of this type and legal form can receive a return of ``kind``."""
    rule = KIND_RULES[kind]
    if relation_type not in rule.relation_types:
        return False
    if relation_type in _LEGAL_FORM_REQUIRED and legal_form is None:
        return False
    if rule.legal_forms is not None and relation_type in _ORGANISATION_LIKE:
        return legal_form is not None and legal_form in rule.legal_forms
    return True


def lacks_legal_form(
    kind: ReturnKind, relation_type: RelationType, legal_form: LegalForm | None
) -> bool:
    """Whether setting a legal form is what this relation misses to receive ``kind``."""
    return (
        relation_type in _LEGAL_FORM_REQUIRED
        and legal_form is None
        and relation_type in KIND_RULES[kind].relation_types
    )


def legal_form_stops_it(kind: ReturnKind, relation_types: Iterable[RelationType]) -> bool:
    """For a ``wrong_relation_type``: whether every relation involved has a type that could
    receive ``kind``, so it is their legal form that cannot (a VPB return on an eenmanszaak)
    and a person made from a contact would not help either."""
    return all(relation_type in KIND_RULES[kind].relation_types for relation_type in relation_types)
