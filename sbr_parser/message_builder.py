"""Build realistic SBR messages of every kind and several taxonomy years.

For the demo, the tests and the benchmarks. The shapes follow docs/message-formats.md: the real
sample corpus (docs/README.md) for OB (NT14/NT15), IB (NT13/NT14) and the Loonaangifte
(2026); for the kinds
with no public sample (suppletie OB, ICP, VPB) the element names recorded there from vendor test
code and the taxonomy listings. Each builder returns bytes exactly as a sender would deliver them.

The builders deliberately include the traps a parser must survive: a partner context *before* the
declarant, a company context with a shorter period, ICP customers' foreign VAT numbers, NT20
typed-dimension contexts beside the main one, employees' BSNs in the Loonaangifte, and an
ISO-8859-1 encoding declaration.

>>> from sbr_parser import parse_message
>>> parse_message(ob_return("001000044B37", dt.date(2026, 1, 1), dt.date(2026, 3, 31))).kind
<ReturnKind.OB: 'OB'>
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

__all__ = [
    "RELEASES",
    "Customer",
    "Employee",
    "Release",
    "bsn_for",
    "entrypoint_href",
    "generation_for",
    "ib_return",
    "icp_return",
    "large_ib_return",
    "loonaangifte",
    "ob_return",
    "ob_suppletie",
    "vpb_return",
]


def bsn_for(seed: int) -> str:
    """A distinct valid BSN/RSIN (eleven-test) for each ``seed`` from 0 to 44,999,999.

    Test data and benchmarks need many different valid numbers. Prefixes 2n and 2n+1 differ by
    2 in the weighted sum, so at most one of them needs the impossible check digit 10.
    """
    if not 0 <= seed < 45_000_000:
        raise ValueError("seed must be in 0..44,999,999")
    for prefix in (10_000_000 + 2 * seed, 10_000_001 + 2 * seed):
        digits = f"{prefix:08d}"
        check = sum(int(d) * (9 - i) for i, d in enumerate(digits)) % 11
        if check < 10:
            return f"{digits}{check}"
    raise AssertionError("unreachable: one of two neighbouring prefixes has a check digit")


@dataclass(frozen=True, slots=True)
class Release:
    """One Dutch Taxonomy release of the Belastingdienst (``nt<generation>/bd/<date><suffix>``)."""

    generation: int
    date: str
    suffix: str = ""

    @property
    def release_year(self) -> int:
        return int(self.date[:4])

    def base(self, scheme: str = "http") -> str:
        return f"{scheme}://www.nltaxonomie.nl/nt{self.generation}/bd/{self.date}{self.suffix}"


#: Releases by generation (docs/message-formats.md).
RELEASES: dict[int, Release] = {
    13: Release(13, "20181212"),
    14: Release(14, "20191211"),
    15: Release(15, "20201209"),
    16: Release(16, "20211208"),
    17: Release(17, "20221207"),
    18: Release(18, "20231213"),
    19: Release(19, "20241211"),
    20: Release(20, "20251210"),
}

# OB, suppletie and ICP entrypoints carry the year after the release; IB and VPB the release year.
_YEAR_AFTER_RELEASE = {"ob-aangifte", "ob-suppletie", "icp-opgaaf"}

_XBRL_NAMESPACES = (
    'xmlns:xbrli="http://www.xbrl.org/2003/instance" '
    'xmlns:link="http://www.xbrl.org/2003/linkbase" '
    'xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:iso4217="http://www.xbrl.org/2003/iso4217" '
    'xmlns:xbrldi="http://xbrl.org/2006/xbrldi"'
)


def entrypoint_href(family: str, generation: int = 20, *, scheme: str = "http") -> str:
    """The schemaRef href of ``bd-rpt-<family>-<year>`` in the given NT generation."""
    release = RELEASES[generation]
    year = release.release_year + (1 if family in _YEAR_AFTER_RELEASE else 0)
    return f"{release.base(scheme)}/entrypoints/bd-rpt-{family}-{year}.xsd"


def generation_for(family: str, year: int) -> int:
    """The NT generation whose ``family`` entrypoint is for ``year`` (clamped to known releases).

    >>> generation_for("ob-aangifte", 2026), generation_for("ihz-aangifte", 2025)
    (20, 20)
    """
    release_year = year - (1 if family in _YEAR_AFTER_RELEASE else 0)
    by_year = {release.release_year: number for number, release in RELEASES.items()}
    return by_year.get(release_year, min(RELEASES) if release_year < 2018 else max(RELEASES))


def _instance(href: str, generation: int, contexts: str, facts: str) -> bytes:
    # generation picks the yearly namespaces, which is exactly what parsers must not depend on.
    base = RELEASES[generation].base()
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<!--XBRL instance based on taxonomy report entrypoint {href} -->\n"
        f'<xbrli:xbrl xml:lang="nl" {_XBRL_NAMESPACES} '
        f'xmlns:bd-i="{base}/dictionary/bd-data" '
        f'xmlns:bd-t="{base}/dictionary/bd-tuples" '
        f'xmlns:bd-dim-mem="{base}/dictionary/bd-domain-members" '
        f'xmlns:bd-dim-dim="{base}/validation/bd-axes" '
        f'xmlns:bd-axes="{base}/validation/bd-axes" '
        f'xmlns:bd-domains="{base}/validation/bd-domains">\n'
        f'  <link:schemaRef xlink:type="simple" xlink:href="{href}"/>\n'
        f"{contexts}"
        '  <xbrli:unit id="EUR"><xbrli:measure>iso4217:EUR</xbrli:measure></xbrli:unit>\n'
        f"{facts}"
        "</xbrli:xbrl>\n"
    ).encode()


def _context(  # noqa: PLR0917 - a private helper mirroring the xbrli:context element
    context_id: str,
    scheme: str,
    identifier: str,
    start: dt.date,
    end: dt.date | None = None,
    scenario: str = "",
) -> str:
    period = (
        f"<xbrli:instant>{start.isoformat()}</xbrli:instant>"
        if end is None
        else f"<xbrli:startDate>{start.isoformat()}</xbrli:startDate>"
        f"<xbrli:endDate>{end.isoformat()}</xbrli:endDate>"
    )
    scenario_xml = f"<xbrli:scenario>{scenario}</xbrli:scenario>" if scenario else ""
    return (
        f'  <xbrli:context id="{context_id}">'
        f'<xbrli:entity><xbrli:identifier scheme="{scheme}">{escape(identifier)}'
        "</xbrli:identifier></xbrli:entity>"
        f"<xbrli:period>{period}</xbrli:period>{scenario_xml}</xbrli:context>\n"
    )


def _fact(name: str, context: str, value: object, *, amount: bool = False) -> str:
    unit = ' unitRef="EUR" decimals="INF"' if amount else ""
    return f'  <bd-i:{name} contextRef="{context}"{unit}>{escape(str(value))}</bd-i:{name}>\n'


def _explicit(dimension: str, member: str) -> str:
    return (
        f'<xbrldi:explicitMember dimension="bd-dim-dim:{dimension}">bd-dim-mem:{member}'
        "</xbrldi:explicitMember>"
    )


def _typed(dimension: str, domain: str, value: str) -> str:
    return (
        f'<xbrldi:typedMember dimension="bd-axes:{dimension}">'
        f"<bd-domains:{domain}>{escape(value)}</bd-domains:{domain}></xbrldi:typedMember>"
    )


_OB_SCHEME = "www.belastingdienst.nl/omzetbelastingnummer"
_ID_SCHEME = "www.belastingdienst.nl/identificatie"


def _software_facts(context: str) -> str:
    return (
        _fact("SoftwarePackageName", context, "Boekhoudpakket")
        + _fact("SoftwarePackageVersion", context, "2026.1")
        + _fact("SoftwareVendorAccountNumber", context, "SWO12345")
    )


def ob_return(
    ob_number: str,
    period_start: dt.date,
    period_end: dt.date,
    *,
    generation: int | None = None,
    amount_due: int = 3240,
    scheme: str = _OB_SCHEME,
    href: str | None = None,
) -> bytes:
    """An aangifte omzetbelasting. NT19 adds the professional-association tuple; NT20 replaces
    it with a second, typed-dimension context ``Msg_PASN1`` with the same identifier and period.
    ``generation`` defaults to the release whose entrypoint is for the period's year."""
    generation = generation or generation_for("ob-aangifte", period_start.year)
    href = href or entrypoint_href("ob-aangifte", generation)
    contexts = _context("Msg", scheme, ob_number, period_start, period_end)
    facts = (
        _fact("ContactInitials", "Msg", "J")
        + _fact("ContactSurname", "Msg", "de Vries")
        + _fact("ContactTelephoneNumber", "Msg", "0201234567")
        + _fact("DateTimeCreation", "Msg", f"{period_end + dt.timedelta(days=15):%Y%m%d}1254")
        + _fact("MessageReferenceSupplierVAT", "Msg", "OB-2026-0001")
        + _software_facts("Msg")
        + _fact("TaxedTurnoverSuppliesServicesGeneralTariff", "Msg", 15000, amount=True)
        + _fact("ValueAddedTaxSuppliesServicesGeneralTariff", "Msg", 3150, amount=True)
        + _fact("ValueAddedTaxOwed", "Msg", amount_due, amount=True)
        + _fact("ValueAddedTaxOwedToBePaidBack", "Msg", amount_due, amount=True)
    )
    if generation == 19:
        facts += (
            "  <bd-t:ProfessionalAssociationForTaxServiceProvidersSpecification>\n"
            + _fact("ProfessionalAssociationForTaxServiceProvidersName", "Msg", "NOB")
            + "  </bd-t:ProfessionalAssociationForTaxServiceProvidersSpecification>\n"
        )
    elif generation >= 20:
        contexts += _context(
            "Msg_PASN1",
            scheme,
            ob_number,
            period_start,
            period_end,
            _typed("ProfessionalAssociationSerialNumberDimension", "SerialNumberDomain", "1"),
        )
        facts += _fact("ProfessionalAssociationForTaxServiceProvidersName", "Msg_PASN1", "NOB")
    return _instance(href, generation, contexts, facts)


def ob_suppletie(
    ob_number: str,
    period_start: dt.date,
    period_end: dt.date,
    *,
    generation: int | None = None,
    old_total: int = 3240,
    new_total: int = 3540,
) -> bytes:
    """A suppletie OB: the period is the *corrected* original tijdvak, not the filing date."""
    generation = generation or generation_for("ob-suppletie", period_start.year)
    href = entrypoint_href("ob-suppletie", generation)
    contexts = _context("Msg", _OB_SCHEME, ob_number, period_start, period_end)
    facts = (
        _fact("MessageReferenceSupplierVAT", "Msg", "SUP-2026-0001")
        + _software_facts("Msg")
        + _fact("ValueAddedTaxAmountTotalOld", "Msg", old_total, amount=True)
        + _fact("ValueAddedTaxAmountTotalNew", "Msg", new_total, amount=True)
        + _fact(
            "ValueAddedTaxToBePaidAdditionalToBePaidBack",
            "Msg",
            new_total - old_total,
            amount=True,
        )
    )
    return _instance(href, generation, contexts, facts)


@dataclass(frozen=True, slots=True)
class Customer:
    """An ICP customer: EU country code and its *foreign* VAT number without country prefix."""

    country: str
    vat_number: str
    supplies: int = 0
    services: int = 0


_DEFAULT_CUSTOMERS = (
    Customer("FR", "23334175221", supplies=12500),
    Customer("BE", "0477472701", services=4200),
)


def icp_return(
    ob_number: str,
    period_start: dt.date,
    period_end: dt.date,
    *,
    generation: int | None = None,
    customers: Sequence[Customer] = _DEFAULT_CUSTOMERS,
    fiscal_entity_division: str | None = "123456782B90",
) -> bytes:
    """An opgaaf ICP. Up to NT19 each customer is a tuple in ``CD_Opgaaf``; from NT20 each customer
    gets its own context with typed VATNumber and CountryCodeEU dimensions (N+1 contexts)."""
    generation = generation or generation_for("icp-opgaaf", period_start.year)
    href = entrypoint_href("icp-opgaaf", generation)
    contexts = _context("CD_Opgaaf", _OB_SCHEME, ob_number, period_start, period_end)
    facts = _fact("MessageReferenceSupplierICP", "CD_Opgaaf", "ICP-2026-0001") + _software_facts(
        "CD_Opgaaf"
    )
    if fiscal_entity_division:
        facts += _fact(
            "VATIdentificationNumberNLFiscalEntityDivision", "CD_Opgaaf", fiscal_entity_division
        )
    for customer in customers:
        if generation >= 20:
            context_id = f"ICP_{customer.country}_{customer.vat_number}"
            contexts += _context(
                context_id,
                _OB_SCHEME,
                ob_number,
                period_start,
                period_end,
                _typed("VATNumberDimension", "VATNumberDomain", customer.vat_number)
                + _typed("CountryCodeEUDimension", "CountryCodeEUDomain", customer.country),
            )
            facts += _fact("SuppliesAmount", context_id, customer.supplies, amount=True)
            facts += _fact("ServicesAmount", context_id, customer.services, amount=True)
            facts += _fact("ABCSuppliesAmount", context_id, 0, amount=True)
        else:
            facts += (
                "  <bd-t:IntraCommunitySupplies>\n"
                + _fact("CountryCodeISO-EC", "CD_Opgaaf", customer.country)
                + _fact("SuppliesAmount", "CD_Opgaaf", customer.supplies, amount=True)
                + _fact("ServicesAmount", "CD_Opgaaf", customer.services, amount=True)
                + _fact("VATIdentificationNumberNational", "CD_Opgaaf", customer.vat_number)
                + "  </bd-t:IntraCommunitySupplies>\n"
            )
    return _instance(href, generation, contexts, facts)


def ib_return(
    bsn: str,
    year: int,
    *,
    generation: int | None = None,
    partner_bsn: str | None = "262157196",
    company_start: dt.date | None = None,
    extra_facts: str = "",
) -> bytes:
    """An aangifte inkomstenbelasting for calendar ``year``.

    The partner context comes *first* in the document and the company context (when
    ``company_start`` is given) has a shorter period, as in the official VB-03.
    """
    generation = generation or generation_for("ihz-aangifte", year)
    href = entrypoint_href("ihz-aangifte", generation)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    contexts = ""
    facts = ""
    if partner_bsn:
        contexts += _context(
            "CD_Partner",
            _ID_SCHEME,
            partner_bsn,
            start,
            end,
            _explicit("PartyDimension", "Partner"),
        )
        facts += _fact("Initials", "CD_Partner", "B") + _fact("Surname", "CD_Partner", "Tielen")
    contexts += _context(
        "CD_Declarant", _ID_SCHEME, bsn, start, end, _explicit("PartyDimension", "Declarant")
    )
    contexts += _context(
        "CIB_Declarant",
        _ID_SCHEME,
        bsn,
        start,
        None,
        _explicit("TimeDimension", "Begin") + _explicit("PartyDimension", "Declarant"),
    )
    contexts += _context(
        "CIE_Declarant",
        _ID_SCHEME,
        bsn,
        end,
        None,
        _explicit("TimeDimension", "End") + _explicit("PartyDimension", "Declarant"),
    )
    if company_start:
        contexts += _context(
            "CD_Company1",
            _ID_SCHEME,
            bsn,
            company_start,
            end,
            _explicit("PartyDimension", "Company")
            + '<xbrldi:typedMember dimension="bd-dim-dim:CompanySerialNumberDimension">'
            "<bd-domains:CompanySerialNumberDomain>1</bd-domains:CompanySerialNumberDomain>"
            "</xbrldi:typedMember>",
        )
        facts += _fact("CompanyName", "CD_Company1", "Jansen Advies")
    facts += (
        _fact("Initials", "CD_Declarant", "SR")
        + _fact("Surname", "CD_Declarant", "Oudendag")
        + _fact("DateOfBirth", "CD_Declarant", "1975-08-16")
        + _fact("TaxReturnMessageType", "CD_Declarant", "62")
        + _fact("GiftsOtherPeriodicIdentificationNumber", "CD_Declarant", "813612809")
        + _software_facts("CD_Declarant")
        + extra_facts
    )
    return _instance(href, generation, contexts, facts)


def large_ib_return(bsn: str, year: int, *, target_bytes: int = 2 * 1024 * 1024) -> bytes:
    """An IB return padded with realistic specification tuples to about ``target_bytes``."""
    tuple_xml = (
        "  <bd-t:PreviousWorkSpecification>\n"
        + _fact("PreviousWorkBenefitsAgencyName", "CD_Declarant", "SVB")
        + _fact("PreviousWorkIncomeAmount", "CD_Declarant", 11800, amount=True)
        + _fact("PreviousWorkWithheldWageLevy", "CD_Declarant", 32, amount=True)
        + "  </bd-t:PreviousWorkSpecification>\n"
    )
    base = len(ib_return(bsn, year))
    copies = max(0, (target_bytes - base) // len(tuple_xml))
    return ib_return(bsn, year, extra_facts=tuple_xml * copies)


def vpb_return(
    rsin: str,
    book_year_start: dt.date,
    book_year_end: dt.date,
    *,
    generation: int | None = None,
) -> bytes:
    """An aangifte vennootschapsbelasting over a (possibly non-calendar) book year.

    No public VPB instance exists (docs/message-formats.md); this follows the IB analogy: the
    RSIN in the ``identificatie`` scheme of a dimensionless duration context, plus balance-sheet
    instants at the start and end of the book year.
    """
    generation = generation or generation_for("vpb-aangifte", book_year_start.year)
    href = entrypoint_href("vpb-aangifte", generation)
    contexts = (
        _context("Msg", _ID_SCHEME, rsin, book_year_start, book_year_end)
        + _context("CIB", _ID_SCHEME, rsin, book_year_start)
        + _context("CIE", _ID_SCHEME, rsin, book_year_end)
    )
    facts = (
        _software_facts("Msg")
        + _fact("TaxableProfitsCalculated", "Msg", 250000, amount=True)
        + _fact("EquityCapital", "CIB", 400000, amount=True)
        + _fact("EquityCapital", "CIE", 650000, amount=True)
    )
    return _instance(href, generation, contexts, facts)


@dataclass(frozen=True, slots=True)
class Employee:
    """One employee line of a Loonaangifte (the SofiNr is a BSN, never the return's id)."""

    bsn: str
    initials: str
    surname: str
    wage: Decimal


_DEFAULT_EMPLOYEES = (
    Employee("123456782", "AM", "Jansen", Decimal("3800.00")),
    Employee("111222333", "K", "Bakker", Decimal("2400.00")),
)


def loonaangifte(
    lh_number: str,
    period_start: dt.date,
    period_end: dt.date,
    *,
    employer: str = "Conduction Demo B.V.",
    encoding: str = "UTF-8",
    employees: Sequence[Employee] = _DEFAULT_EMPLOYEES,
    schema_year: int | None = None,
    amount_due: int = 2756,
) -> bytes:
    """A Loonaangifte (``VolledigeAangifte``) in UTF-8 or ISO-8859-1, default namespace."""
    year = schema_year or period_start.year
    lines = "".join(
        "        <InkomstenverhoudingInitieel>\n"
        f"          <NumIV>{number}</NumIV>\n"
        "          <NatuurlijkPersoon>\n"
        f"            <SofiNr>{escape(e.bsn)}</SofiNr><Voorl>{escape(e.initials)}</Voorl>"
        f"<SignNm>{escape(e.surname)}</SignNm>\n"
        "          </NatuurlijkPersoon>\n"
        f"          <Werknemersgegevens><LnLbPh>{e.wage}</LnLbPh></Werknemersgegevens>\n"
        "        </InkomstenverhoudingInitieel>\n"
        for number, e in enumerate(employees, start=1)
    )
    total = sum((e.wage for e in employees), Decimal(0))
    text = (
        f'<?xml version="1.0" encoding={quoteattr(encoding)}?>\n'
        f'<Loonaangifte xmlns="http://xml.belastingdienst.nl/schemas/Loonaangifte/{year}/01" '
        'version="2.0">\n'
        "  <Bericht>\n"
        f"    <IdBer>LA{period_start:%Y-%m}X</IdBer>\n"
        f"    <DatTdAanm>{period_end + dt.timedelta(days=5)}T10:00:00</DatTdAanm>\n"
        "    <ContPers>P. Salaris</ContPers><TelNr>020-1234567</TelNr>\n"
        "    <RelNr>SWO12345</RelNr><GebrSwPakket>Salarispakket</GebrSwPakket>\n"
        "  </Bericht>\n"
        "  <AdministratieveEenheid>\n"
        f"    <LhNr>{escape(lh_number)}</LhNr>\n"
        f"    <NmIP>{escape(employer)}</NmIP>\n"
        "    <TijdvakAangifte>\n"
        f"      <DatAanvTv>{period_start.isoformat()}</DatAanvTv>\n"
        f"      <DatEindTv>{period_end.isoformat()}</DatEindTv>\n"
        "      <VolledigeAangifte>\n"
        "        <CollectieveAangifte>\n"
        f"          <TotLnLbPh>{total}</TotLnLbPh>\n"
        f"          <TotTeBet>{amount_due}</TotTeBet>\n"
        f"          <TotGen>{amount_due}</TotGen>\n"
        "        </CollectieveAangifte>\n"
        f"{lines}"
        "      </VolledigeAangifte>\n"
        "    </TijdvakAangifte>\n"
        "  </AdministratieveEenheid>\n"
        "</Loonaangifte>\n"
    )
    return text.encode(encoding)
