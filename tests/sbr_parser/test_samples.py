"""Every real sample of the corpus parses to the values its PROVENANCE.md row states."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from sbr_parser import ParsedReturn, Rejection, RejectionReason, ReturnKind, parse_file


@dataclass(frozen=True)
class Expected:
    kind: ReturnKind
    identifier: str
    period: tuple[dt.date, dt.date]
    taxonomy: str
    valid: bool
    amount_due: str | None = None


# Transcribed from samples/PROVENANCE.md ("fiscal identifier", "period", "schemaRef href").
EXPECTED: dict[str, Expected] = {
    "ob/VB-01_bd-rpt-ob-aangifte-2020.xbrl": Expected(
        ReturnKind.OB,
        "001000044B37",
        (dt.date(2020, 10, 1), dt.date(2020, 10, 31)),
        "http://www.nltaxonomie.nl/nt14/bd/20191211/entrypoints/bd-rpt-ob-aangifte-2020.xsd",
        valid=True,
        amount_due="3240",
    ),
    "ob/VB-01_bd-rpt-ob-aangifte-2021.xbrl": Expected(
        ReturnKind.OB,
        "001000044B37",
        (dt.date(2021, 10, 1), dt.date(2021, 10, 31)),
        "http://www.nltaxonomie.nl/nt15/bd/20201209/entrypoints/bd-rpt-ob-aangifte-2021.xsd",
        valid=True,
        amount_due="3240",
    ),
    "ib/VB-01_bd-rpt-ihz-aangifte-2019-masked.xbrl": Expected(
        ReturnKind.IB,
        "000000012",  # the declarant; the partner's 000000024 must not be taken
        (dt.date(2019, 1, 1), dt.date(2019, 12, 31)),
        "http://www.nltaxonomie.nl/nt14/bd/20191211/entrypoints/bd-rpt-ihz-aangifte-2019.xsd",
        valid=True,
    ),
    "ib/VB-03_bd-rpt-ihz-aangifte-2018.xbrl": Expected(
        ReturnKind.IB,
        "12345678",  # masked, 8 digits: kept as found, fails the eleven-test
        (dt.date(2018, 1, 1), dt.date(2018, 12, 31)),  # not the company's 2018-12-10 start
        "http://www.nltaxonomie.nl/nt13/bd/20181212/entrypoints/bd-rpt-ihz-aangifte-2018.xsd",
        valid=False,
    ),
    "lh/loonaangifte-2026-06-adm-001.xml": Expected(
        ReturnKind.LH,
        "111222333L01",  # not the employees' SofiNr 123456782 / 111222333
        (dt.date(2026, 6, 1), dt.date(2026, 6, 30)),
        "http://xml.belastingdienst.nl/schemas/Loonaangifte/2026/01",
        valid=True,
        amount_due="2756",
    ),
}

# Samples that are real Belastingdienst messages but not returns this inbox handles.
EXPECTED_REJECTIONS = {"other/ubd-2026-adm-001.xml": RejectionReason.UNSUPPORTED_KIND}


def test_every_sample_in_provenance_is_covered(samples_dir: Path) -> None:
    listed = set(re.findall(r"^\| `([^`]+)` \|", (samples_dir / "PROVENANCE.md").read_text(), re.M))
    on_disk = {
        p.relative_to(samples_dir).as_posix()
        for p in samples_dir.rglob("*")
        if p.is_file() and p.name != "PROVENANCE.md"
    }
    assert listed == on_disk
    assert set(EXPECTED) | set(EXPECTED_REJECTIONS) == on_disk


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_parses_to_provenance_values(samples_dir: Path, name: str) -> None:
    expected = EXPECTED[name]
    result = parse_file(samples_dir / name)
    assert isinstance(result, ParsedReturn), result
    assert result.kind is expected.kind
    assert result.identifier == expected.identifier
    assert (result.period_start, result.period_end) == expected.period
    assert result.taxonomy.reference == expected.taxonomy
    assert result.identifier_valid is expected.valid
    assert (None if result.amount_due is None else str(result.amount_due)) == expected.amount_due
    assert result.sha256 == hashlib.sha256((samples_dir / name).read_bytes()).hexdigest()


@pytest.mark.parametrize("name", sorted(EXPECTED_REJECTIONS))
def test_non_return_sample_is_rejected(samples_dir: Path, name: str) -> None:
    result = parse_file(samples_dir / name)
    assert isinstance(result, Rejection)
    assert result.reason is EXPECTED_REJECTIONS[name]
    assert "UBD" in result.detail


def test_ib_normalises_masked_bsn_by_zero_padding(samples_dir: Path) -> None:
    result = parse_file(samples_dir / "ib/VB-03_bd-rpt-ihz-aangifte-2018.xbrl")
    assert isinstance(result, ParsedReturn)
    assert result.identifier_normalised == "012345678"
