"""The relation rules, in their one place: per type, per field, with the field named."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from crm.importer import row_errors
from crm.schema import REQUIRED_FIELDS, RelationDoc
from models import RelationType
from tests.support.factories import full_relation, organisation_row


def _fields(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        RelationDoc.model_validate(data)
    return {error.field: error.message for error in row_errors(caught.value, 0, "x")}


def test_the_full_document_is_valid() -> None:
    assert RelationDoc.model_validate(full_relation()).number == "1001"


@pytest.mark.parametrize("relation_type", list(RelationType))
def test_each_type_names_every_missing_required_field(relation_type: RelationType) -> None:
    fields = _fields({"number": "1", "type": relation_type.value})
    assert set(fields) == set(REQUIRED_FIELDS[relation_type])
    assert all(relation_type.value in message for message in fields.values())


def test_a_person_has_no_legal_form_or_kvk_number() -> None:
    fields = _fields(
        {
            "number": "1",
            "type": "person",
            "last_name": "Jansen",
            "legal_form": "bv",
            "kvk_number": "12345678",
        }
    )
    assert set(fields) == {"legal_form", "kvk_number"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kvk_number": "1234567"}, "kvk_number"),
        ({"kvk_number": "1234567a"}, "kvk_number"),
        ({"email": "jan@"}, "email"),
        ({"invoice_email": "no-at-sign"}, "invoice_email"),
        ({"visiting_address": {"postcode": "12345"}}, "visiting_address.postcode"),
        ({"postal_address": {"postcode": "0123 AB"}}, "postal_address.postcode"),
        ({"legal_form": "llc"}, "legal_form"),
        ({"type": "client"}, "type"),
        ({"legal_from": "bv"}, "legal_from"),
        ({"employee_count": -1}, "employee_count"),
        ({"founding_date": "2024-02-30"}, "founding_date"),
        ({"number": " 1001"}, "number"),
        (
            {"fiscal_numbers": [{"type": "OB", "value": "001000045B37"}]},
            "fiscal_numbers[0].value",
        ),
        (
            {"fiscal_numbers": [{"type": "BSN_RSIN", "value": "123456789"}]},
            "fiscal_numbers[0].value",
        ),
        ({"fiscal_numbers": [{"type": "LH", "value": "001000044B01"}]}, "fiscal_numbers[0].value"),
        ({"fiscal_numbers": [{"type": "VAT", "value": "x"}]}, "fiscal_numbers[0].type"),
        ({"products": [{"code": "aangifte_ob", "period": "week"}]}, "products[0].period"),
        ({"products": ["aangifte_ob", "aangifte_ob"]}, "products"),
        (
            {
                "fiscal_numbers": [
                    {"type": "OB", "value": "001000044B37"},
                    {"type": "OB", "value": "NL0010.00044.B37"},
                ]
            },
            "fiscal_numbers",
        ),
    ],
)
def test_a_bad_value_is_reported_at_its_field(change: dict[str, Any], field: str) -> None:
    assert field in _fields({**organisation_row(), **change})


def test_a_foreign_postcode_is_not_held_to_the_dutch_format() -> None:
    row = {**organisation_row(), "visiting_address": {"postcode": "2000", "country": "BE"}}
    assert RelationDoc.model_validate(row).visiting_address is not None


def test_values_are_kept_as_entered() -> None:
    doc = RelationDoc.model_validate(
        {**organisation_row(), "visiting_address": {"postcode": "1234 ab"}}
    )
    assert doc.visiting_address is not None
    assert doc.visiting_address.postcode == "1234 ab"
