"""What about a relation can change a matching decision, and recording when it changed.

The matching rules (docs/domain.md) read a relation's type and legal form, its fiscal
numbers with their SBR settings, and its products. :func:`matching_facts` takes exactly those;
comparing the facts before and after any edit gives the change events, so the import, staff
edits and "create relation from contact" cannot forget one. One event per touched fiscal number:
the matching step re-decides the unmatched returns carrying that number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from models.enums import ChangeKind, LegalForm, RelationType
from sbr_parser import IdentifierType

__all__ = ["NO_FACTS", "ChangeRow", "MatchingFacts", "diff_facts", "matching_facts"]

NumberKey = tuple[IdentifierType, str]
SbrSettings = tuple[bool, dt.date | None, bool]


class MatchingFacts(NamedTuple):
    """The facts of one relation that matching reads."""

    type: RelationType | None
    legal_form: LegalForm | None
    numbers: Mapping[NumberKey, SbrSettings]
    products: Mapping[str, tuple[bool, str | None]]


class ChangeRow(NamedTuple):
    """One change event to store: which kind, for which fiscal number, and what it was."""

    kind: ChangeKind
    identifier_type: IdentifierType
    normalised: str
    detail: dict[str, Any]


NO_FACTS = MatchingFacts(None, None, {}, {})


class _HasNumber(NamedTuple):
    type: IdentifierType
    normalised: str
    sbr_enabled: bool
    sbr_start_date: dt.date | None
    sbr_ideal: bool


def matching_facts(
    relation_type: RelationType,
    legal_form: LegalForm | None,
    numbers: Iterable[Any],
    products: Iterable[tuple[str, bool, str | None]],
) -> MatchingFacts:
    """The facts from a relation's parts (ORM rows or documents with the same attributes)."""
    return MatchingFacts(
        relation_type,
        legal_form,
        {
            (n.type, n.normalised): (bool(n.sbr_enabled), n.sbr_start_date, bool(n.sbr_ideal))
            for n in numbers
        },
        {code: (active, period) for code, active, period in products},
    )


def diff_facts(before: MatchingFacts, after: MatchingFacts) -> list[ChangeRow]:
    """The change events that turn ``before`` into ``after`` (none when nothing relevant moved)."""
    rows: list[ChangeRow] = []
    for key in sorted(before.numbers.keys() | after.numbers.keys()):
        old, new = before.numbers.get(key), after.numbers.get(key)
        if old is None or new is None:
            rows.append(_row(ChangeKind.FISCAL_NUMBER, key, added=new is not None))
        elif old != new:
            rows.append(
                _row(ChangeKind.SBR_SETTINGS, key, before=_settings(old), after=_settings(new))
            )
    # A change to the relation itself can change the decision for each of its numbers.
    every_number = sorted(after.numbers.keys() | before.numbers.keys())
    relation_level: list[tuple[ChangeKind, dict[str, Any]]] = []
    if before.type is not None and before.type != after.type:
        relation_level.append(
            (ChangeKind.RELATION_TYPE, {"before": before.type.value, "after": _value(after.type)})
        )
    if before.type is not None and before.legal_form != after.legal_form:
        relation_level.append(
            (
                ChangeKind.LEGAL_FORM,
                {"before": _value(before.legal_form), "after": _value(after.legal_form)},
            )
        )
    if before.products != after.products and before.type is not None:
        relation_level.append(
            (
                ChangeKind.PRODUCT,
                {"before": _products(before.products), "after": _products(after.products)},
            )
        )
    for kind, detail in relation_level:
        rows.extend(ChangeRow(kind, t, n, detail) for t, n in every_number)
    return rows


def _row(kind: ChangeKind, key: NumberKey, **detail: Any) -> ChangeRow:
    return ChangeRow(kind, key[0], key[1], detail)


def _settings(settings: SbrSettings) -> dict[str, Any]:
    enabled, start, ideal = settings
    return {
        "sbr_enabled": enabled,
        "sbr_start_date": start.isoformat() if start else None,
        "sbr_ideal": ideal,
    }


def _products(products: Mapping[str, tuple[bool, str | None]]) -> list[str]:
    return sorted(code for code, (active, _period) in products.items() if active)


def _value(member: LegalForm | RelationType | None) -> str | None:
    return None if member is None else member.value
