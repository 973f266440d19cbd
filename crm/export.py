"""Relations out as the interchange document (docs/contracts.md).

Every key of :class:`crm.schema.RelationDoc` is written, null or empty when unset, so the file
says everything the office holds and an import of it restores exactly that.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session

from crm.queries import relations
from crm.schema import ADDRESS_FIELDS, ADDRESS_KINDS, RelationDoc
from crm.writer import SCALAR_FIELDS
from models import FiscalNumber, Office, Relation
from sbr_parser import IdentifierType

__all__ = ["export_lines", "relation_document"]


def relation_document(relation: Relation) -> dict[str, Any]:
    """One relation as a document: every key, in the document's order."""
    data: dict[str, Any] = {name: _plain(getattr(relation, name)) for name in SCALAR_FIELDS}
    data["number"] = relation.number
    data["group"] = relation.group.name if relation.group is not None else None
    addresses = {address.kind: address for address in relation.addresses}
    for kind in ADDRESS_KINDS:
        address = addresses.get(kind)
        data[f"{kind}_address"] = (
            None if address is None else {key: getattr(address, key) for key in ADDRESS_FIELDS}
        )
    data["fiscal_numbers"] = [
        {
            "type": number.type.value,
            "value": number.value,
            "sbr_enabled": number.sbr_enabled,
            "sbr_start_date": _plain(number.sbr_start_date),
            "sbr_ideal": number.sbr_ideal,
        }
        for number in _one_per_number(relation.fiscal_numbers)
    ]
    data["products"] = [
        product.product.code
        if product.active and product.period is None
        else {"code": product.product.code, "active": product.active, "period": product.period}
        for product in relation.products
    ]
    data["contacts"] = [
        {
            "number": link.contact.number,
            "initials": link.contact.initials,
            "first_names": link.contact.first_names,
            "last_name": link.contact.last_name,
            "phone": link.contact.phone,
            "mobile": link.contact.mobile,
            "email": link.contact.email,
        }
        for link in relation.contact_links
    ]
    data["team"] = [{"role": role.role, "member": role.member.code} for role in relation.roles]
    data["planner_rules"] = [
        {
            "product": rule.product.code,
            "period": rule.period,
            "first_period_start": rule.first_period_start.isoformat(),
            "create_days_before_start": rule.create_days_before_start,
            "active": rule.active,
        }
        for rule in relation.planner_rules
    ]
    # Indexing by the document's own keys fails loudly if a field was added but not exported.
    return {key: data[key] for key in RelationDoc.model_fields}


def export_lines(session: Session, office: Office) -> Iterator[str]:
    """The office's document as JSON text, one relation per line (streamed, diff-friendly)."""
    yield f'{{"office": {json.dumps(office.code)}, "relations": ['
    separator = ""
    for relation in relations(session, office):
        yield separator + json.dumps(relation_document(relation), ensure_ascii=False)
        separator = ","
    yield "]}"


def _one_per_number(numbers: list[FiscalNumber]) -> list[FiscalNumber]:
    """One row per (type, normalised value), in the order each first appears.

    A relation may still hold a number twice where migration 0013 has not run yet; the
    document lists it once (else its import and every edit would refuse it), with the row that
    migration keeps: SBR on, then the earliest start date (none first), then the oldest.
    """
    chosen: dict[tuple[IdentifierType, str], FiscalNumber] = {}
    for number in numbers:
        key = (number.type, number.normalised)
        held = chosen.get(key)
        if held is None or _preference(number) < _preference(held):
            chosen[key] = number
    return list(chosen.values())


def _preference(number: FiscalNumber) -> tuple[bool, bool, dt.date, int]:
    start = number.sbr_start_date
    return (not number.sbr_enabled, start is not None, start or dt.date.min, number.id)


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
