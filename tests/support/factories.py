"""Relation rows for import tests (factory_boy), each with distinct valid fiscal numbers."""

from __future__ import annotations

from typing import Any, cast

from factory.base import DictFactory
from factory.declarations import LazyFunction, Sequence

from sbr_parser.message_builder import bsn_for


class _FiscalNumberRow(DictFactory):
    """An OB number with SBR on, valid and distinct per sequence number."""

    type = "OB"
    value = Sequence(lambda n: f"NL{bsn_for(n)}B01")
    sbr_enabled = True
    sbr_start_date = "2024-12-31"
    sbr_ideal = False


class _OrganisationRow(DictFactory):
    """An organisation (a BV) with an OB number and the OB product."""

    number = Sequence(lambda n: f"{1000 + n}")
    type = "organisation"
    name = Sequence(lambda n: f"Klant {n} B.V.")
    legal_form = "bv"
    fiscal_numbers = LazyFunction(lambda: [_FiscalNumberRow()])
    products = LazyFunction(lambda: ["aangifte_ob"])


def full_relation() -> dict[str, Any]:
    """A relation document that uses every key, with values that differ from every default."""
    address = {
        "street": "Dorpsstraat",
        "house_number": "12a",
        "postcode": "1234 AB",
        "city": "Utrecht",
        "country": "NL",
    }
    return {
        "number": "1001",
        "type": "organisation",
        "memo": "Jaarlijks gesprek in maart.",
        "category": "cliënt (VPB)",
        "group": "Holding Jansen",
        "name": "Jansen Holding B.V.",
        "legal_form": "bv",
        "employee_count": 12,
        "founding_date": "2009-05-01",
        "kvk_number": "12345678",
        "industry": "Groothandel",
        "display_name": "Jansen Holding",
        "initials": "J.",
        "first_names": "Jan",
        "last_name": "Jansen",
        "nickname": "Jan",
        "birthplace": "Gouda",
        "marital_status": "gehuwd",
        "phone": "030-1234567",
        "mobile": "06-12345678",
        "email": "info@jansen.example",
        "invoice_email": "facturen@jansen.example",
        "visiting_address": address,
        "postal_address": {**address, "street": "Postbus", "house_number": "99"},
        "invoice_address": {**address, "city": "Antwerpen", "postcode": "2000", "country": "BE"},
        "fiscal_numbers": [
            {
                "type": "OB",
                "value": "NL 0010.00044.B37",
                "sbr_enabled": True,
                "sbr_start_date": "2024-12-31",
                "sbr_ideal": True,
            },
            {
                "type": "BSN_RSIN",
                "value": "001000044",
                "sbr_enabled": True,
                "sbr_start_date": "2023-12-31",
                "sbr_ideal": False,
            },
            {
                "type": "LH",
                "value": "001000044L01",
                "sbr_enabled": False,
                "sbr_start_date": None,
                "sbr_ideal": False,
            },
            {
                "type": "LH",
                "value": "001000044L02",
                "sbr_enabled": True,
                "sbr_start_date": "2025-12-31",
                "sbr_ideal": False,
            },
        ],
        "products": [
            "aangifte_ob",
            {"code": "loonaangifte", "active": True, "period": "four_weeks"},
            {"code": "aangifte_vpb", "active": False, "period": None},
        ],
        "contacts": [
            {
                "number": "C1",
                "initials": "J.",
                "first_names": "Jan",
                "last_name": "Jansen",
                "phone": "030-7654321",
                "mobile": "06-87654321",
                "email": "jan@jansen.example",
            }
        ],
        "team": [
            {"role": "accountmanager", "member": "pdv"},
            {"role": "loonadministrateur", "member": "abk"},
        ],
        "planner_rules": [
            {
                "product": "aangifte_ob",
                "period": "quarter",
                "first_period_start": "2026-01-01",
                "create_days_before_start": 14,
                "active": True,
            },
            {
                "product": "loonaangifte",
                "period": "four_weeks",
                "first_period_start": "2026-01-01",
                "create_days_before_start": 0,
                "active": False,
            },
        ],
    }


def organisation_row(**overrides: Any) -> dict[str, Any]:
    """A new organisation row (typed wrapper: factory_boy's classes carry no annotations)."""
    return cast(dict[str, Any], _OrganisationRow(**overrides))


def fiscal_number_row(**overrides: Any) -> dict[str, Any]:
    """A new OB number row with SBR on."""
    return cast(dict[str, Any], _FiscalNumberRow(**overrides))


def jansen_holding(
    *,
    ob_number: str = "001000044B37",
    sbr_enabled: bool = True,
    sbr_start_date: str | None = None,
    sbr_ideal: bool = False,
    products: tuple[str, ...] = ("aangifte_ob",),
) -> dict[str, Any]:
    """The tests' standard client: relation 1001, Jansen Holding B.V., one OB number."""
    fiscal_number: dict[str, Any] = {"type": "OB", "value": ob_number, "sbr_enabled": sbr_enabled}
    if sbr_start_date is not None:
        fiscal_number["sbr_start_date"] = sbr_start_date
    if sbr_ideal:
        fiscal_number["sbr_ideal"] = True
    return {
        "number": "1001",
        "type": "organisation",
        "name": "Jansen Holding B.V.",
        "legal_form": "bv",
        "fiscal_numbers": [fiscal_number],
        "products": list(products),
    }


def ob_relation_rows(numbers: list[str], prefix: str, first: int = 0) -> list[dict[str, Any]]:
    """One organisation per OB number (SBR on), numbered ``prefix`` + ``first`` onwards."""
    return [
        organisation_row(
            number=f"{prefix}{first + i}",
            fiscal_numbers=[{"type": "OB", "value": number, "sbr_enabled": True}],
        )
        for i, number in enumerate(numbers)
    ]
