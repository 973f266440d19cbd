"""Read the kind, fiscal identifier, period and amount due from a Dutch Taxonomy XBRL instance.

Where things are (docs/message-formats.md): the kind in ``link:schemaRef``; the identifier
and the period in an ``xbrli:context``'s entity identifier and period. The traps this module is
built around:

* Messages have several contexts (IB always: partner, company, begin/end of year; NT20 OB and ICP
  add typed-dimension contexts). The *main* context is chosen by its dimensions: the IB declarant
  context is the one whose only dimension is ``PartyDimension=Declarant``; otherwise the context
  without dimensions. The conventional ids (``Msg``, ``CD_Opgaaf``, ``CD_Declarant``) are only a
  fallback. Never "the first context".
* The partner's BSN and the ICP customers' VAT numbers are in the same message; only the main
  context's entity identifier is the taxpayer.
* Namespaces change every year, so facts are found by local name, never by a full namespace URI.
* Scheme strings appear with and without ``http(s)://``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from lxml import etree

from sbr_parser.entrypoints import XbrlKindSpec, classify_entrypoint
from sbr_parser.errors import (
    MissingIdentifierError,
    MissingPeriodError,
    SbrParseError,
    UnsupportedKindError,
)
from sbr_parser.types import Taxonomy
from sbr_parser.values import parse_decimal, parse_period

__all__ = ["XBRLI", "XbrlReturn", "read_xbrl"]

XBRLI = "http://www.xbrl.org/2003/instance"
LINK = "http://www.xbrl.org/2003/linkbase"
XLINK = "http://www.w3.org/1999/xlink"
XBRLDI = "http://xbrl.org/2006/xbrldi"

_CONTEXT = f"{{{XBRLI}}}context"
_IDENTIFIER = f"{{{XBRLI}}}identifier"
_START = f"{{{XBRLI}}}startDate"
_END = f"{{{XBRLI}}}endDate"
_INSTANT = f"{{{XBRLI}}}instant"
_EXPLICIT = f"{{{XBRLDI}}}explicitMember"
_TYPED = f"{{{XBRLDI}}}typedMember"
_SCHEMA_REF = f"{{{LINK}}}schemaRef"
_HREF = f"{{{XLINK}}}href"

_DECLARANT = {"PartyDimension": "Declarant"}


class _Context(NamedTuple):
    # A NamedTuple, not a frozen dataclass: one is made per context per message, and a frozen
    # dataclass's __init__ costs three times as much.
    id: str
    scheme: str
    identifier: str
    start: str | None
    end: str | None
    instant: str | None
    explicit: dict[str, str]
    typed: frozenset[str]


class XbrlReturn(NamedTuple):
    """What an XBRL return says about itself, before identifier checks."""

    spec: XbrlKindSpec
    taxonomy: Taxonomy
    identifier: str
    period_start: dt.date
    period_end: dt.date
    amount_due: Decimal | None


def read_xbrl(root: etree._Element) -> XbrlReturn:
    """Read an ``xbrli:xbrl`` root; raise an :class:`SbrParseError` when it is not a return."""
    spec, taxonomy = _entrypoint(root)
    try:
        main = _main_context(spec, list(_contexts(root)))
        start, end = _period(main)
    except SbrParseError as exc:
        exc.kind, exc.identifier_type, exc.taxonomy = spec.kind, spec.identifier_type, taxonomy
        raise
    amount = _amount(root, spec.amount_due, main.id) if spec.amount_due else None
    return XbrlReturn(spec, taxonomy, main.identifier, start, end, amount)


def _entrypoint(root: etree._Element) -> tuple[XbrlKindSpec, Taxonomy]:
    hrefs = [ref.get(_HREF) for ref in root.iterchildren(_SCHEMA_REF)]
    if len(hrefs) <= 1:
        return classify_entrypoint(hrefs[0] if hrefs else None)
    # XBRL allows several schemaRefs; a return has one entrypoint among them.
    found: list[tuple[XbrlKindSpec, Taxonomy]] = []
    first_error: SbrParseError | None = None
    for href in hrefs:
        try:
            found.append(classify_entrypoint(href))
        except SbrParseError as exc:
            first_error = first_error or exc
    kinds = {spec.kind for spec, _ in found}
    if len(kinds) == 1:
        return found[0]
    if not found and first_error is not None:
        raise first_error
    raise UnsupportedKindError(
        "The XBRL instance references entrypoints of several return kinds: "
        + ", ".join(sorted(k.value for k in kinds))
    )


def _contexts(root: etree._Element) -> list[_Context]:
    return [_read_context(element) for element in root.iterchildren(_CONTEXT)]


def _read_context(element: etree._Element) -> _Context:
    # One pass over the context's few descendants, dispatching on the tag: this runs for every
    # context of every message, and a walk is several times cheaper than seven find() calls.
    scheme = identifier = ""
    start = end = instant = None
    explicit: dict[str, str] = {}
    typed: set[str] = set()
    for node in element.iter():
        tag = node.tag
        if tag == _IDENTIFIER:
            scheme = _normalise_scheme(node.get("scheme", ""))
            identifier = (node.text or "").strip()
        elif tag == _START:
            start = (node.text or "").strip() or None
        elif tag == _END:
            end = (node.text or "").strip() or None
        elif tag == _INSTANT:
            instant = (node.text or "").strip() or None
        elif tag == _EXPLICIT:
            explicit[_local(node.get("dimension", ""))] = _local((node.text or "").strip())
        elif tag == _TYPED:
            typed.add(_local(node.get("dimension", "")))
    return _Context(
        element.get("id", ""), scheme, identifier, start, end, instant, explicit, frozenset(typed)
    )


def _main_context(spec: XbrlKindSpec, contexts: list[_Context]) -> _Context:
    # Preference: the IB declarant context, else contexts without dimensions, else by id.
    declarant: list[_Context] = []
    plain: list[_Context] = []
    by_id: list[_Context] = []
    other_schemes: set[str] = set()
    for context in contexts:
        if context.scheme != spec.scheme:
            other_schemes.add(context.scheme)
            continue
        if not context.typed and context.explicit == _DECLARANT:
            declarant.append(context)
        elif not context.typed and not context.explicit:
            plain.append(context)
        if context.id in spec.main_context_ids:
            by_id.append(context)
    group = declarant or plain or by_id
    if not group:
        if all(context.scheme != spec.scheme for context in contexts):
            seen = ", ".join(sorted(s for s in other_schemes if s))
            raise MissingIdentifierError(
                f"No context carries an identifier with scheme '{spec.scheme}'"
                + (f" (schemes found: {seen})." if seen else ".")
            )
        raise MissingIdentifierError(
            "None of the contexts is the taxpayer's main context (no context without dimensions, "
            "none with PartyDimension=Declarant, none with id "
            f"{' or '.join(spec.main_context_ids)})."
        )
    identifiers = sorted({c.identifier for c in group})
    if len(identifiers) > 1:
        raise MissingIdentifierError(
            "The main contexts name different taxpayers: " + ", ".join(identifiers) + "."
        )
    if not identifiers[0]:
        raise MissingIdentifierError(
            f"The main context '{group[0].id}' has an empty entity identifier."
        )
    durations = [c for c in group if c.start and c.end] or group
    periods = {(c.start, c.end) for c in durations}
    if len(periods) > 1:
        raise MissingPeriodError(
            "The main contexts give different periods: "
            + ", ".join(f"{s} to {e}" for s, e in sorted(periods, key=str))
            + ".",
            identifier=identifiers[0],
        )
    return durations[0]


def _period(context: _Context) -> tuple[dt.date, dt.date]:
    where = f"The main context '{context.id}'"
    if context.instant and not (context.start or context.end):
        where += f" (an instant, {context.instant})"
    return parse_period(context.start, context.end, where=where, identifier=context.identifier)


def _amount(root: etree._Element, concept: str, context_id: str) -> Decimal | None:
    # Facts live in the yearly bd-data namespace; ``{*}`` matches any namespace in C.
    for fact in root.iterchildren(f"{{*}}{concept}"):
        if fact.get("contextRef") == context_id:
            return parse_decimal(fact.text)
    return None


def _local(qname: str) -> str:
    return qname.rsplit(":", 1)[-1]


@lru_cache(maxsize=64)
def _normalise_scheme(scheme: str) -> str:
    scheme = scheme.strip().lower()
    for prefix in ("http://", "https://"):
        scheme = scheme.removeprefix(prefix)
    return scheme.rstrip("/")
