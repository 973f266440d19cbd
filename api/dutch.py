"""The words and formats of the staff page: Dutch, for office employees.

The API and the CLI keep their codes (``no_relation``, ``matched``, ISO dates); the page shows
these instead. Every code the page can meet has a word here, and ``tests/web`` fails when a
code or an English field name reaches the page's visible text. Times are shown in
Europe/Amsterdam (``23-11-2026 20:14``), dates as ``30-04-2026``, periods as a person writes
them (``Q1 2026``, ``jan 2026``, ``2025``, ``4-weken 3 2026``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from jinja2 import Environment

from models.catalogue import CATALOGUE
from planner.payment import grouped
from planner.periods import Period, fits, four_week_periods, kind_of

__all__ = ["AMSTERDAM", "install", "period_label", "when"]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

STATUS = {
    "received": "ontvangen",
    "matched": "geplaatst",
    "unmatched": "niet geplaatst",
    "rejected": "geweigerd",
    "duplicate": "dubbel ontvangen",
    "dismissed": "afgehandeld",
}

REASON = {
    # Why a return waits (the rules' reasons, in their order).
    "invalid_identifier": "Ongeldig fiscaal nummer",
    "no_relation": "Geen relatie met dit nummer",
    "legal_form_missing": "Rechtsvorm ontbreekt",
    "wrong_relation_type": "Relatie kan deze aangifte niet ontvangen",
    "sbr_disabled": "SBR niet ingeschakeld",
    "before_sbr_start": "Periode vóór de SBR-startdatum",
    "ambiguous": "Nummer bij meerdere relaties",
    "no_product": "Product ontbreekt",
    "unlawful_period": "Geen geldig aangiftetijdvak",
    # Why a message was refused.
    "empty": "Leeg bericht",
    "too_large": "Te groot",
    "parse_error": "Geen leesbare XML",
    "unsafe_xml": "Onveilige XML",
    "not_a_return": "Geen aangifte",
    "unsupported_kind": "Onbekende soort aangifte",
    "missing_identifier": "Fiscaal nummer ontbreekt",
    "missing_period": "Periode ontbreekt",
    "out_of_range": "Waarde buiten bereik",
    "internal": "Interne fout bij verwerken",
    "unreadable": "Bestand onleesbaar",
}

KIND = {
    "OB": "Omzetbelasting",
    "OB_SUPPLETIE": "Suppletie omzetbelasting",
    "ICP": "Opgaaf ICP",
    "IB": "Inkomstenbelasting",
    "VPB": "Vennootschapsbelasting",
    "LH": "Loonaangifte",
}

NUMBER_TYPE = {
    "OB": "OB-nummer",
    "BSN_RSIN": "BSN/RSIN",
    "LH": "Loonheffingennummer",
}

TRIGGER = {
    "received": "ontvangen",
    "assign": "toegewezen",
    "dismiss": "afgehandeld",
    "undo": "ongedaan gemaakt",
    "rerun": "opnieuw beoordeeld",
    "change": "relatie gewijzigd",
    "fix": "hersteld",
}

RELATION_TYPE = {
    "organisation": "organisatie",
    "person": "persoon",
    "internal": "eigen kantoor",
    "supplier": "leverancier",
}

LEGAL_FORM = {
    "eenmanszaak": "eenmanszaak",
    "vof": "vof",
    "cv": "cv",
    "maatschap": "maatschap",
    "bv": "bv",
    "nv": "nv",
    "cooperatie": "coöperatie",
    "stichting": "stichting",
    "vereniging": "vereniging",
    "other": "overig",
}

STEP = {
    "prepare": "voorbereiden",
    "review": "controleren",
    "client_approval": "akkoord klant",
    "submit": "indienen",
    "done": "klaar",
}

PERIOD_KIND = {
    "month": "maand",
    "quarter": "kwartaal",
    "year": "jaar",
    "four_weeks": "4 weken",
    "correction": "correctie",
}

SOURCE = {"planner": "planner", "inbox": "inbox", "staff": "medewerker"}

EFFECT = {
    "start_workflow": "werkstroom starten",
    "file_in_dossier": "archiveren in het dossier",
}

PRODUCT = {spec.code: spec.name for spec in CATALOGUE}

MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def when(value: str | dt.datetime | None) -> str:
    """A moment as ``23-11-2026 20:14`` in Amsterdam time (stored in UTC)."""
    if value is None or value == "":
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return f"{moment.astimezone(AMSTERDAM):%d-%m-%Y %H:%M}"


def day(value: str | dt.date | None) -> str:
    """A date as ``30-04-2026``."""
    if value is None or value == "":
        return ""
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{date:%d-%m-%Y}"


def period_label(
    start: str | dt.date | None, end: str | dt.date | None, kind: str | None = None
) -> str:
    """A period as a person writes it: ``Q1 2026``, ``jan 2026``, ``2025``, ``4-weken 3 2026``;
    a book year or book-year quarter as its months, anything else as its dates."""
    if not start or not end:
        return ""
    period = Period(_date(start), _date(end))
    if kind == "correction":
        return f"{_months(period)} (correctie)"
    kind = kind if kind and fits(period, kind) else kind_of(period)
    label = _LABELS.get(kind, _dates)(period) if fits(period, kind) else None
    return label or _dates(period)


def _date(value: str | dt.date) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _four_weeks(period: Period) -> str:
    number = four_week_periods(period.start.year).index(period) + 1
    return f"4-weken {number} {period.start.year}"


def _month(period: Period) -> str:
    return f"{MONTHS[period.start.month - 1]} {period.start.year}"


def _quarter(period: Period) -> str:
    first = period.start
    if first.month in (1, 4, 7, 10):
        return f"Q{(first.month - 1) // 3 + 1} {first.year}"
    return _months(period)  # a book-year quarter


def _year(period: Period) -> str:
    return str(period.start.year) if period.start.month == 1 else _months(period)


def _dates(period: Period) -> str:
    return f"{day(period.start)} t/m {day(period.end)}"


def _months(period: Period) -> str:
    first, last = period
    start = MONTHS[first.month - 1] + ("" if first.year == last.year else f" {first.year}")
    return f"{start} - {MONTHS[last.month - 1]} {last.year}"


_LABELS = {"four_weeks": _four_weeks, "month": _month, "quarter": _quarter, "year": _year}


def euro(amount: str | None) -> str:
    """An amount as Dutch write it: ``€ 3.240,00``."""
    if amount is None or amount == "":
        return ""
    whole, _, cents = f"{Decimal(amount):,.2f}".partition(".")
    return f"€ {whole.replace(',', '.')},{cents}"


def _word(table: dict[str, str]) -> object:
    def lookup(code: str | None) -> str:
        return "" if code is None else table.get(str(code), str(code))

    return lookup


def install(env: Environment) -> None:
    """Make the words and formats filters of the page's templates."""
    env.filters.update(
        {
            "status": _word(STATUS),
            "reason": _word(REASON),
            "kind": _word(KIND),
            "number_type": _word(NUMBER_TYPE),
            "trigger": _word(TRIGGER),
            "relation_type": _word(RELATION_TYPE),
            "legal_form": _word(LEGAL_FORM),
            "step": _word(STEP),
            "period_kind": _word(PERIOD_KIND),
            "source": _word(SOURCE),
            "product": _word(PRODUCT),
            "effect": _word(EFFECT),
            "when": when,
            "day": day,
            "kenmerk": grouped,
            "euro": euro,  # a betalingskenmerk as the Belastingdienst prints it
        }
    )
    env.globals["period_label"] = period_label
