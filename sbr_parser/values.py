"""Small readers shared by the XBRL and Loonaangifte modules: text, dates, periods, amounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from lxml import etree

from sbr_parser.errors import MissingPeriodError
from sbr_parser.types import Taxonomy

__all__ = ["child_text", "parse_decimal", "parse_period"]


def child_text(parent: etree._Element | None, tag: str) -> str | None:
    """The stripped text of the first child ``tag`` of ``parent``, or None if absent or empty."""
    if parent is None:
        return None
    child = parent.find(tag)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None


def parse_decimal(text: str | None) -> Decimal | None:
    """An amount, or None when absent or not a number (an amount never rejects a return)."""
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_period(
    start_text: str | None,
    end_text: str | None,
    *,
    where: str,
    identifier: str | None = None,
    taxonomy: Taxonomy | None = None,
) -> tuple[dt.date, dt.date]:
    """Turn the two date texts of a return period into dates, or raise MissingPeriodError.

    ``where`` names the place in the message for the sentence staff will read. Both xs:date and
    xs:dateTime are accepted (XBRL allows either); the day is what matters for a period.
    """
    if not start_text or not end_text:
        raise MissingPeriodError(
            f"{where} has no period start and end date.", identifier=identifier, taxonomy=taxonomy
        )
    try:
        start = _date(start_text)
        end = _date(end_text)
    except ValueError:
        raise MissingPeriodError(
            f"{where} has a period '{start_text}' to '{end_text}' that is not a pair of dates.",
            identifier=identifier,
            taxonomy=taxonomy,
        ) from None
    if end < start:
        raise MissingPeriodError(
            f"{where} has a period that ends ({end}) before it starts ({start}).",
            identifier=identifier,
            taxonomy=taxonomy,
        )
    return start, end


def _date(text: str) -> dt.date:
    if len(text) > 10 and text[10] == "T":
        text = text[:10]
    return dt.date.fromisoformat(text)
