"""Entrypoint families are recognised across taxonomy years, layouts, schemes and suffixes."""

from __future__ import annotations

import pytest

from sbr_parser import ReturnKind
from sbr_parser.entrypoints import XBRL_KINDS, classify_entrypoint
from sbr_parser.errors import NotAReturnError, UnsupportedKindError

NT = "http://www.nltaxonomie.nl"


@pytest.mark.parametrize(
    ("href", "kind", "year", "generation"),
    [
        (
            f"{NT}/nt14/bd/20191211/entrypoints/bd-rpt-ob-aangifte-2020.xsd",
            ReturnKind.OB,
            2020,
            "NT14",
        ),
        (
            f"{NT}/nt20/bd/20251210.a/entrypoints/bd-rpt-ob-aangifte-2026.xsd",
            ReturnKind.OB,
            2026,
            "NT20",
        ),
        (
            "https://www.nltaxonomie.nl/nt17/bd/20221207/entrypoints/bd-rpt-ob-aangifte-2023.xsd",
            ReturnKind.OB,
            2023,
            "NT17",
        ),
        # A generator wrote nt17 for the 20231213 release: the year comes from the name, not ntNN.
        (
            f"{NT}/nt17/bd/20231213/entrypoints/bd-rpt-ob-aangifte-2024.xsd",
            ReturnKind.OB,
            2024,
            "NT17",
        ),
        (
            f"{NT}/10.0/report/bd/entrypoints/bd-rpt-ob-aangifte-2016.xsd",
            ReturnKind.OB,
            2016,
            "NT10",
        ),
        (
            f"{NT}/nt14/bd/20191211.b/entrypoints/bd-rpt-icp-opgaaf-2020.xsd",
            ReturnKind.ICP,
            2020,
            "NT14",
        ),
        (
            f"{NT}/nt19/bd/20241211/entrypoints/bd-rpt-ob-suppletie-2025.xsd",
            ReturnKind.OB_SUPPLETIE,
            2025,
            "NT19",
        ),
        (
            f"{NT}/nt16/bd/20220921/entrypoints/bd-rpt-ob-suppletie.xsd",
            ReturnKind.OB_SUPPLETIE,
            None,
            "NT16",
        ),
        (
            f"{NT}/nt13/bd/20181212/entrypoints/bd-rpt-ihz-aangifte-2018.xsd",
            ReturnKind.IB,
            2018,
            "NT13",
        ),
        (
            f"{NT}/nt20/bd/20251210/entrypoints/bd-rpt-vpb-aangifte-2025.xsd",
            ReturnKind.VPB,
            2025,
            "NT20",
        ),
        ("bd-rpt-vpb-aangifte-2025.xsd", ReturnKind.VPB, 2025, None),
    ],
)
def test_families_across_years(
    href: str, kind: ReturnKind, year: int | None, generation: str | None
) -> None:
    spec, taxonomy = classify_entrypoint(href)
    assert spec.kind is kind
    assert taxonomy.year == year
    assert taxonomy.generation == generation
    assert taxonomy.reference == href


@pytest.mark.parametrize(
    "href",
    [
        f"{NT}/nt20/bd/20251210/entrypoints/bd-rpt-ihz-via-2025.xsd",
        f"{NT}/nt20/bd/20251210/entrypoints/bd-rpt-vpb-sba-2026.xsd",
        f"{NT}/nt20/bd/20251210/entrypoints/bd-rpt-vpb-verzoekwijzigingva-2026.xsd",
        f"{NT}/nt20/kvk/20251210/entrypoints/kvk-rpt-jaarverantwoording-2025-nlgaap-micro.xsd",
        "http://www.bank.nl/frc-rpt-ihz-aangifte-2016.xsd",
        "something-else.xsd",
    ],
)
def test_other_entrypoints_are_unsupported(href: str) -> None:
    with pytest.raises(UnsupportedKindError) as caught:
        classify_entrypoint(href)
    assert caught.value.taxonomy is not None
    assert caught.value.taxonomy.reference == href


@pytest.mark.parametrize("href", [None, "", "  "])
def test_no_entrypoint_is_not_a_return(href: str | None) -> None:
    with pytest.raises(NotAReturnError):
        classify_entrypoint(href)


def test_every_xbrl_kind_has_a_family() -> None:
    assert {spec.kind for spec in XBRL_KINDS.values()} == set(ReturnKind) - {ReturnKind.LH}
