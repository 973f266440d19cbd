"""Which return kind an XBRL instance is, from its ``link:schemaRef`` entrypoint.

The Dutch Taxonomy publishes new entrypoints every year (``nt14/bd/20191211/.../
bd-rpt-ob-aangifte-2020.xsd``, ``nt20/bd/20251210.a/.../bd-rpt-ob-aangifte-2026.xsd``), so we
recognise the entrypoint *family* (``ob-aangifte``) from the file's base name and never compare a
whole URL. The scheme (http/https), the release suffix (``.a``, ``.b``) and the directory layout
(NT10 used ``/10.0/report/bd/entrypoints/``) do not matter. What each kind needs to be read is
data in :data:`XBRL_KINDS`, not branches in the reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sbr_parser.errors import NotAReturnError, UnsupportedKindError
from sbr_parser.types import IdentifierType, ReturnKind, Taxonomy

__all__ = ["XBRL_KINDS", "XbrlKindSpec", "classify_entrypoint"]

SCHEME_OB = "www.belastingdienst.nl/omzetbelastingnummer"
SCHEME_IDENTIFICATIE = "www.belastingdienst.nl/identificatie"


@dataclass(frozen=True, slots=True)
class XbrlKindSpec:
    """How to read one XBRL return kind.

    ``scheme``: the entity identifier scheme that carries the taxpayer's number.
    ``main_context_ids``: the conventional id of the main context, used only when the
    dimensions do not single one out. ``amount_due``: the concept holding the amount to pay.
    """

    kind: ReturnKind
    identifier_type: IdentifierType
    scheme: str
    main_context_ids: tuple[str, ...]
    amount_due: str | None


XBRL_KINDS: dict[str, XbrlKindSpec] = {
    "ob-aangifte": XbrlKindSpec(
        ReturnKind.OB, IdentifierType.OB, SCHEME_OB, ("Msg",), "ValueAddedTaxOwedToBePaidBack"
    ),
    "ob-suppletie": XbrlKindSpec(
        ReturnKind.OB_SUPPLETIE,
        IdentifierType.OB,
        SCHEME_OB,
        ("Msg",),
        "ValueAddedTaxToBePaidAdditionalToBePaidBack",
    ),
    "icp-opgaaf": XbrlKindSpec(ReturnKind.ICP, IdentifierType.OB, SCHEME_OB, ("CD_Opgaaf",), None),
    "ihz-aangifte": XbrlKindSpec(
        ReturnKind.IB, IdentifierType.BSN_RSIN, SCHEME_IDENTIFICATIE, ("CD_Declarant",), None
    ),
    # No public VPB instance exists (docs/message-formats.md): read by analogy with IB.
    "vpb-aangifte": XbrlKindSpec(
        ReturnKind.VPB,
        IdentifierType.BSN_RSIN,
        SCHEME_IDENTIFICATIE,
        ("CD_Declarant", "Msg"),
        None,
    ),
}

_ENTRYPOINT_NAME = re.compile(r"^(?P<prefix>[a-z]+)-rpt-(?P<family>.+?)(?:-(?P<year>\d{4}))?$")
_GENERATION = re.compile(r"/nt(?P<nt>\d{1,2})/|/(?P<old>\d{1,2})\.\d/")


@lru_cache(maxsize=1024)
def classify_entrypoint(href: str | None) -> tuple[XbrlKindSpec, Taxonomy]:
    """Return how to read an instance whose ``schemaRef`` is ``href``, and its taxonomy.

    Raises :class:`NotAReturnError` without an href, :class:`UnsupportedKindError` for an
    entrypoint outside :data:`XBRL_KINDS` (a KvK annual report, a bank report, ``ihz-via`` ...).
    Cached, since a handful of hrefs covers a whole year of messages (errors are not cached).
    """
    if not href or not href.strip():
        raise NotAReturnError(
            "The XBRL instance has no link:schemaRef, so it names no taxonomy entrypoint."
        )
    href = href.strip()
    basename = href.rsplit("/", 1)[-1].split("?", 1)[0].split("#", 1)[0]
    name = basename.removesuffix(".xsd").lower()
    generation_match = _GENERATION.search(href.lower())
    generation = None
    if generation_match:
        generation = f"NT{generation_match.group('nt') or generation_match.group('old')}"
    match = _ENTRYPOINT_NAME.match(name)
    year = int(match.group("year")) if match and match.group("year") else None
    taxonomy = Taxonomy(reference=href, entrypoint=name, year=year, generation=generation)
    if match is None or match.group("prefix") != "bd":
        raise UnsupportedKindError(
            f"The XBRL instance uses entrypoint '{basename}', which is not a Belastingdienst "
            "return (expected bd-rpt-...).",
            taxonomy=taxonomy,
        )
    spec = XBRL_KINDS.get(match.group("family"))
    if spec is None:
        known = ", ".join(sorted(XBRL_KINDS))
        raise UnsupportedKindError(
            f"Belastingdienst entrypoint '{basename}' (family '{match.group('family')}') is not "
            f"a return kind this inbox handles (known: {known}).",
            taxonomy=taxonomy,
        )
    return spec, taxonomy
