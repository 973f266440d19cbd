"""Read the loonheffingennummer, period and amount due from a Loonaangifte (payroll-tax) message.

The Loonaangifte is plain XML, not XBRL (docs/message-formats.md): root ``Loonaangifte`` in the
default namespace ``http://xml.belastingdienst.nl/schemas/Loonaangifte/<YYYY>/01``. The employer's
number is ``AdministratieveEenheid/LhNr``; the period ``TijdvakAangifte/DatAanvTv`` and
``DatEindTv``. The employees' ``SofiNr`` (BSNs) sit in the same message and are never the return's
identifier, and ``Bericht/IdBer`` may embed an LhNr that we deliberately do not parse.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from lxml import etree

from sbr_parser.errors import MissingIdentifierError
from sbr_parser.types import Taxonomy
from sbr_parser.values import child_text, parse_decimal, parse_period

__all__ = ["LOONAANGIFTE_NAMESPACE_PREFIX", "LoonaangifteReturn", "read_loonaangifte"]

LOONAANGIFTE_NAMESPACE_PREFIX = "http://xml.belastingdienst.nl/schemas/Loonaangifte/"
_NAMESPACE_YEAR = re.compile(r"/Loonaangifte/(\d{4})/")


class LoonaangifteReturn(NamedTuple):
    """What a Loonaangifte says about itself, before identifier checks."""

    taxonomy: Taxonomy
    identifier: str
    period_start: dt.date
    period_end: dt.date
    amount_due: Decimal | None


def read_loonaangifte(root: etree._Element, namespace: str) -> LoonaangifteReturn:
    """Read a ``Loonaangifte`` root in ``namespace``; raise an SbrParseError if it is unusable."""
    taxonomy = _taxonomy(namespace, root.get("version", "?"))
    tags = _tags(namespace)
    units = list(root.iterchildren(tags.unit))
    numbers = sorted({text for unit in units if (text := child_text(unit, tags.lh_number))})
    if not numbers:
        raise MissingIdentifierError(
            "The Loonaangifte has no AdministratieveEenheid/LhNr (loonheffingennummer).",
            taxonomy=taxonomy,
        )
    if len(numbers) > 1:
        raise MissingIdentifierError(
            "The Loonaangifte names several loonheffingennummers: " + ", ".join(numbers) + ".",
            taxonomy=taxonomy,
        )
    identifier = numbers[0]
    # The return's own period; a message that only corrects earlier periods carries those instead.
    tijdvak = units[0].find(tags.tijdvak)
    correction = None if tijdvak is not None else units[0].find(tags.correction)
    where = "The Loonaangifte's " + (
        "TijdvakAangifte" if correction is None else "TijdvakCorrectie"
    )
    tijdvak = tijdvak if tijdvak is not None else correction
    start, end = parse_period(
        child_text(tijdvak, tags.start),
        child_text(tijdvak, tags.end),
        where=where,
        identifier=identifier,
        taxonomy=taxonomy,
    )
    amount = None
    if tijdvak is not None:
        for declaration in tijdvak:  # VolledigeAangifte, or a correction's equivalent
            amount = parse_decimal(child_text(declaration.find(tags.collective), tags.amount))
            if amount is not None:
                break
    return LoonaangifteReturn(taxonomy, identifier, start, end, amount)


class _Tags(NamedTuple):
    unit: str
    lh_number: str
    tijdvak: str
    correction: str
    start: str
    end: str
    collective: str
    amount: str


@lru_cache(maxsize=32)
def _tags(namespace: str) -> _Tags:
    # Clark-notation tags per schema year: plain tag lookups run in C, prefixed paths do not.
    names = [
        "AdministratieveEenheid",
        "LhNr",
        "TijdvakAangifte",
        "TijdvakCorrectie",
        "DatAanvTv",
        "DatEindTv",
        "CollectieveAangifte",
        "TotTeBet",
    ]
    return _Tags(*(f"{{{namespace}}}{name}" for name in names))


@lru_cache(maxsize=32)
def _taxonomy(namespace: str, version: str) -> Taxonomy:
    year_match = _NAMESPACE_YEAR.search(namespace)
    year = year_match.group(1) if year_match else ""
    return Taxonomy(
        reference=namespace,
        entrypoint=f"Loonaangifte{year}v{version}",
        year=int(year) if year else None,
        generation=None,
    )
