"""The relations interchange document (docs/contracts.md), and every rule a relation must meet.

This is the one place relation data is validated: the JSON and CSV imports, the staff edits and
"create relation from contact" all build a :class:`RelationDoc` before anything is written, so a
rule added here holds everywhere. Values are kept exactly as entered (a postcode "1234 ab" stays
"1234 ab") so an import followed by an export returns the same document; the checks only decide
whether a value is acceptable.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.nl import postcode as nl_postcode

from models.enums import LegalForm, RelationType
from sbr_parser import IdentifierType, check_identifier, is_btw_id, normalise_identifier

__all__ = [
    "ADDRESS_FIELDS",
    "ADDRESS_KINDS",
    "PERIODS",
    "REQUIRED_FIELDS",
    "AddressDoc",
    "ContactDoc",
    "FiscalNumberDoc",
    "OfficeDocument",
    "PlannerRuleDoc",
    "ProductDoc",
    "RelationDoc",
    "TeamDoc",
    "relation_number_problem",
    "type_problems",
]

ADDRESS_KINDS = ("visiting", "postal", "invoice")
PERIODS = ("month", "quarter", "year", "four_weeks")

# Required fields per relation type, as data (the mandatory fields of the client record). An
# organisation needs its legal form because the SBR inbox cannot process its returns without it.
REQUIRED_FIELDS: dict[RelationType, tuple[str, ...]] = {
    RelationType.ORGANISATION: ("name", "legal_form"),
    RelationType.INTERNAL: ("name",),
    RelationType.SUPPLIER: ("name",),
    RelationType.PERSON: ("last_name",),
}
# Fields that only make sense for organisation-like relations.
ORGANISATION_ONLY = ("legal_form", "employee_count", "kvk_number")

_KVK = re.compile(r"\d{8}")
_CHECK_NAMES = {
    IdentifierType.OB: "omzetbelastingnummer: 9 digits, B, 2 digits, valid check digit",
    IdentifierType.BSN_RSIN: "BSN/RSIN: 9 digits passing the eleven-test",
    IdentifierType.LH: "loonheffingennummer: RSIN/BSN, L, 2 digits",
}


# A relation's number stands in URL paths (/relaties/{number}, the API's relations/{number}):
# a "/" or "?" in it makes a relation no link can open. So a new relation's number takes only
# characters a path carries as they are (RFC 3986's unreserved ones, without "~"), beginning
# with a letter or digit ("." and ".." are resolved away by clients). Existing relations keep
# theirs (an edit must not be refused for a number chosen under the old rule).
_RELATION_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
RELATION_NUMBER_RULE = "letters, digits, '-', '_' and '.', beginning with a letter or digit"
RELATION_NUMBER_DUTCH = (
    "Een relatienummer bestaat uit letters, cijfers, '-', '_' en '.', en begint met een "
    "letter of cijfer."
)


def relation_number_problem(number: str) -> str | None:
    """Why ``number`` cannot be a new relation's number, or None when it can: the one check
    of every way a relation is made (import, staff fixes, "from contact", the CLI), applied
    by the writer to numbers the office does not have yet."""
    if _RELATION_NUMBER.fullmatch(number):
        return None
    return f"{number!r} cannot be a relation number: use only {RELATION_NUMBER_RULE}"


def _email(value: str) -> str:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"not a valid e-mail address: {exc}") from None
    return value


def _kvk(value: str) -> str:
    if not _KVK.fullmatch(value):
        raise ValueError("a KvK number is exactly 8 digits")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=False, min_length=1, max_length=200)]
Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
KvkNumber = Annotated[str, AfterValidator(_kvk)]
Number = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^\S(.*\S)?$")]


class _Doc(BaseModel):
    # Unknown keys are errors, not silently dropped: a misspelt "legal_from" must not vanish.
    model_config = ConfigDict(extra="forbid", frozen=True)


class AddressDoc(_Doc):
    """A visiting, postal or invoice address."""

    street: Text | None = None
    house_number: Annotated[str, StringConstraints(max_length=20)] | None = None
    postcode: Annotated[str, StringConstraints(max_length=10)] | None = None
    city: Text | None = None
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None

    @model_validator(mode="after")
    def _dutch_postcode(self) -> AddressDoc:
        # Only a Dutch address has a Dutch postcode; no country means the Netherlands.
        if self.postcode is not None and self.country in (None, "NL"):
            try:
                nl_postcode.validate(self.postcode)
            except StdnumValidationError:
                _raise_for_fields(
                    [("postcode", f"{self.postcode!r} is not a Dutch postcode (1234 AB)")]
                )
        return self


# The keys of an address, in document order (the writer and the export use them).
ADDRESS_FIELDS: tuple[str, ...] = tuple(AddressDoc.model_fields)


class FiscalNumberDoc(_Doc):
    """A fiscal number with its SBR settings."""

    type: IdentifierType
    value: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    sbr_enabled: bool = False
    sbr_start_date: dt.date | None = None
    sbr_ideal: bool = False

    @model_validator(mode="after")
    def _valid_number(self) -> FiscalNumberDoc:
        # A typo here would make every return of this client unmatched: refuse it at the door.
        # A btw-identificatienummer is a real number and accepted; the import warns about it.
        valid = check_identifier(self.type, self.value).valid or (
            self.type is IdentifierType.OB and is_btw_id(self.value)
        )
        if not valid:
            _raise_for_fields(
                [("value", f"{self.value!r} fails its check ({_CHECK_NAMES[self.type]})")]
            )
        return self

    @cached_property
    def normalised(self) -> str:
        """The value in the form the inbox compares (docs/domain.md, return kinds)."""
        return normalise_identifier(self.type, self.value)


class ProductDoc(_Doc):
    """A relation's product in full; the plain code string means active with no period set."""

    code: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    active: bool = True
    period: Annotated[str, Field(pattern="^(" + "|".join(PERIODS) + ")$")] | None = None


def _product_from_code(value: object) -> object:
    return {"code": value} if isinstance(value, str) else value


class ContactDoc(_Doc):
    """A contact (natural person) linked to the relation; ``number`` identifies it per office."""

    number: Number
    initials: Annotated[str, StringConstraints(max_length=20)] | None = None
    first_names: Text | None = None
    last_name: Text | None = None
    phone: Annotated[str, StringConstraints(max_length=50)] | None = None
    mobile: Annotated[str, StringConstraints(max_length=50)] | None = None
    email: Email | None = None


class TeamDoc(_Doc):
    """A role on the relation and the team member (by code) who fills it."""

    role: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    member: Annotated[str, StringConstraints(min_length=1, max_length=100)]


class PlannerRuleDoc(_Doc):
    """A planner rule: make this product's workflow for each period from the first on."""

    product: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    period: Annotated[str, Field(pattern="^(" + "|".join(PERIODS) + ")$")]
    first_period_start: dt.date
    create_days_before_start: Annotated[int, Field(ge=0, le=366)] = 0
    active: bool = True


class RelationDoc(_Doc):
    """One relation with everything the office keeps about it."""

    number: Number
    type: RelationType
    memo: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    category: Annotated[str, StringConstraints(max_length=100)] | None = None
    group: Text | None = None
    name: Text | None = None
    legal_form: LegalForm | None = None
    employee_count: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    founding_date: dt.date | None = None
    kvk_number: KvkNumber | None = None
    industry: Text | None = None
    display_name: Text | None = None
    initials: Annotated[str, StringConstraints(max_length=20)] | None = None
    first_names: Text | None = None
    last_name: Text | None = None
    nickname: Annotated[str, StringConstraints(max_length=100)] | None = None
    birthplace: Annotated[str, StringConstraints(max_length=100)] | None = None
    marital_status: Annotated[str, StringConstraints(max_length=50)] | None = None
    phone: Annotated[str, StringConstraints(max_length=50)] | None = None
    mobile: Annotated[str, StringConstraints(max_length=50)] | None = None
    email: Email | None = None
    invoice_email: Email | None = None
    visiting_address: AddressDoc | None = None
    postal_address: AddressDoc | None = None
    invoice_address: AddressDoc | None = None
    fiscal_numbers: list[FiscalNumberDoc] = []
    # A plain code string is short for {"code": ..., "active": true, "period": null}.
    products: list[Annotated[ProductDoc, BeforeValidator(_product_from_code)]] = []
    contacts: list[ContactDoc] = []
    team: list[TeamDoc] = []
    planner_rules: list[PlannerRuleDoc] = []

    @model_validator(mode="after")
    def _per_type(self) -> RelationDoc:
        _raise_for_fields(type_problems(self.type, self.model_dump()))
        return self

    @model_validator(mode="after")
    def _no_repeats(self) -> RelationDoc:
        keys = {
            "fiscal_numbers": [f"{f.type.value} {f.normalised}" for f in self.fiscal_numbers],
            "products": [p.code for p in self.products],
            "contacts": [c.number for c in self.contacts],
            "planner_rules": [r.product for r in self.planner_rules],
        }
        _raise_for_fields(
            [
                (field, f"listed twice: {', '.join(sorted(repeated))}")
                for field, values in keys.items()
                if (repeated := {v for v in values if values.count(v) > 1})
            ]
        )
        return self

    def address(self, kind: str) -> AddressDoc | None:
        """The address of ``kind`` (one of :data:`ADDRESS_KINDS`)."""
        address: AddressDoc | None = getattr(self, f"{kind}_address")
        return address


def type_problems(relation_type: RelationType, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for the per-type rules: required fields, organisation-only fields.

    Takes plain values, so the import can also check a row whose other fields failed (and
    report everything wrong with it at once).
    """
    problems = [
        (field, f"required for a relation of type {relation_type.value}")
        for field in REQUIRED_FIELDS[relation_type]
        if values.get(field) in (None, "")
    ]
    if relation_type is RelationType.PERSON:
        problems += [
            (field, "only organisations have this, not a person")
            for field in ORGANISATION_ONLY
            if values.get(field) is not None
        ]
    return problems


def _raise_for_fields(problems: list[tuple[str, str]]) -> None:
    """Report each (field, message) as an error *at that field*, so callers can name it."""
    if problems:
        raise ValidationError.from_exception_data(
            "relation",
            [
                InitErrorDetails(
                    type=PydanticCustomError("relation_rule", message),
                    loc=(field,),
                    input=None,
                )
                for field, message in problems
            ],
        )


class OfficeDocument(_Doc):
    """The whole file: one office and its relations."""

    office: Number
    relations: list[RelationDoc] = []
