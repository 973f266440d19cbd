"""A generated message per kind and taxonomy year parses to exactly what it was built with.

VPB, ICP and suppletie OB have no public sample (docs/message-formats.md); these builder
messages follow the element names recorded there and are the only evidence for those kinds.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sbr_parser import IdentifierType, ParsedReturn, ReturnKind, parse_message
from sbr_parser import message_builder as build

d = dt.date
GENERATIONS = [16, 17, 18, 19, 20]


def _parsed(data: bytes) -> ParsedReturn:
    result = parse_message(data)
    assert isinstance(result, ParsedReturn), result
    return result


@pytest.mark.parametrize("generation", GENERATIONS)
def test_ob(generation: int) -> None:
    year = 2006 + generation  # NT20 carries the 2026 OB entrypoint
    result = _parsed(
        build.ob_return(
            "001000044B37", d(year, 4, 1), d(year, 6, 30), generation=generation, amount_due=812
        )
    )
    assert (result.kind, result.identifier, result.identifier_type) == (
        ReturnKind.OB,
        "001000044B37",
        IdentifierType.OB,
    )
    assert (result.period_start, result.period_end) == (d(year, 4, 1), d(year, 6, 30))
    assert result.taxonomy.entrypoint == f"bd-rpt-ob-aangifte-{year}"
    assert result.taxonomy.generation == f"NT{generation}"
    assert result.amount_due == Decimal(812)


def test_nt20_ob_has_a_typed_dimension_context_beside_the_main_one() -> None:
    data = build.ob_return("001000044B37", d(2026, 1, 1), d(2026, 1, 31))
    assert b'id="Msg_PASN1"' in data
    assert _parsed(data).identifier == "001000044B37"


@pytest.mark.parametrize("generation", [16, 19, 20])
def test_ob_suppletie_period_is_the_corrected_period(generation: int) -> None:
    year = 2006 + generation
    result = _parsed(
        build.ob_suppletie("001000044B37", d(year, 4, 1), d(year, 4, 30), generation=generation)
    )
    assert result.kind is ReturnKind.OB_SUPPLETIE
    assert (result.period_start, result.period_end) == (d(year, 4, 1), d(year, 4, 30))
    assert result.amount_due == Decimal(300)


@pytest.mark.parametrize("generation", GENERATIONS)
def test_icp_never_takes_a_customer_vat_number(generation: int) -> None:
    year = 2006 + generation
    customers = [build.Customer("FR", "23334175221", 100), build.Customer("DE", "811907980", 5)]
    data = build.icp_return(
        "123456782B01", d(year, 1, 1), d(year, 3, 31), generation=generation, customers=customers
    )
    result = _parsed(data)
    assert (result.kind, result.identifier) == (ReturnKind.ICP, "123456782B01")
    assert (result.period_start, result.period_end) == (d(year, 1, 1), d(year, 3, 31))
    # NT20 has one context per customer; older releases put customers in tuples.
    assert (b"ICP_FR_23334175221" in data) is (generation >= 20)


@pytest.mark.parametrize("generation", GENERATIONS)
def test_ib_takes_the_declarant_not_the_partner_or_company(generation: int) -> None:
    year = 2005 + generation  # NT20 carries the 2025 IB entrypoint
    data = build.ib_return(
        "111222333",
        year,
        generation=generation,
        partner_bsn="123456782",
        company_start=d(year, 12, 10),
    )
    assert data.index(b"CD_Partner") < data.index(b"CD_Declarant")  # the trap: partner first
    result = _parsed(data)
    assert (result.kind, result.identifier, result.identifier_type) == (
        ReturnKind.IB,
        "111222333",
        IdentifierType.BSN_RSIN,
    )
    assert (result.period_start, result.period_end) == (d(year, 1, 1), d(year, 12, 31))
    assert result.taxonomy.entrypoint == f"bd-rpt-ihz-aangifte-{year}"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (d(2024, 1, 1), d(2024, 12, 31)),
        (d(2024, 7, 1), d(2025, 6, 30)),
        (d(2023, 4, 1), d(2024, 3, 31)),
    ],
)
def test_vpb_book_year_need_not_be_a_calendar_year(start: dt.date, end: dt.date) -> None:
    result = _parsed(build.vpb_return("001000044", start, end))
    assert (result.kind, result.identifier) == (ReturnKind.VPB, "001000044")
    assert (result.period_start, result.period_end) == (start, end)


@pytest.mark.parametrize("encoding", ["UTF-8", "ISO-8859-1"])
@pytest.mark.parametrize(
    ("start", "end"),
    [
        (d(2026, 6, 1), d(2026, 6, 30)),
        (d(2026, 1, 26), d(2026, 2, 22)),
        (d(2022, 12, 1), d(2022, 12, 31)),
    ],
)
def test_loonaangifte(encoding: str, start: dt.date, end: dt.date) -> None:
    data = build.loonaangifte(
        "111222333L02", start, end, encoding=encoding, employer="Café Zoë & Zonen B.V."
    )
    assert f'encoding="{encoding}"'.encode() in data
    result = _parsed(data)
    assert (result.kind, result.identifier, result.identifier_type) == (
        ReturnKind.LH,
        "111222333L02",
        IdentifierType.LH,
    )
    assert (result.period_start, result.period_end) == (start, end)
    assert result.taxonomy.year == start.year
    assert result.amount_due == Decimal(2756)


def test_large_instance_is_about_two_megabytes_and_parses() -> None:
    data = build.large_ib_return("111222333", 2024)
    assert 1_900_000 < len(data) <= 2 * 1024 * 1024
    assert _parsed(data).identifier == "111222333"
