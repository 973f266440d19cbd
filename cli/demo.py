"""``sbr-inbox demo``: the main job on the embedded default, for a newcomer's first run.

For now (issue 3) it builds a realistic set of messages of every kind and several taxonomy years,
plus the hostile and broken inputs an inbox meets, parses them all and prints what it found.
Later issues grow it into the whole inbox (store, match, start workflows).
"""

from __future__ import annotations

import datetime as dt

from rich.progress import track

from cli.render import results_table, stdout_console, summary_line
from config import get_settings
from sbr_parser import ParseResult, parse_message
from sbr_parser import testing as build

__all__ = ["demo_command", "demo_messages"]


def demo_messages() -> list[tuple[str, bytes]]:
    """A day in an office's inbox: every kind, several taxonomy years, and bad deliveries."""
    d = dt.date
    return [
        ("OB Q1 2026 (NT20)", build.ob_return("001000044B37", d(2026, 1, 1), d(2026, 3, 31))),
        (
            "OB Oct 2025 (NT19)",
            build.ob_return("NL1234.56.782.B01", d(2025, 10, 1), d(2025, 10, 31)),
        ),
        ("OB 2022 year (NT16)", build.ob_return("001000044B37", d(2022, 1, 1), d(2022, 12, 31))),
        (
            "Suppletie OB Apr 2025",
            build.ob_suppletie("001000044B37", d(2025, 4, 1), d(2025, 4, 30)),
        ),
        (
            "ICP Q1 2026 (NT20 dims)",
            build.icp_return("001000044B37", d(2026, 1, 1), d(2026, 3, 31)),
        ),
        (
            "ICP Q2 2023 (NT17 tuples)",
            build.icp_return("001000044B37", d(2023, 4, 1), d(2023, 6, 30)),
        ),
        ("IB 2025 with partner", build.ib_return("111222333", 2025, company_start=d(2025, 3, 1))),
        ("IB 2021 (NT16)", build.ib_return("123456782", 2021, partner_bsn=None)),
        ("VPB book year 2024/25", build.vpb_return("001000044", d(2024, 7, 1), d(2025, 6, 30))),
        (
            "Loonaangifte Jun 2026",
            build.loonaangifte("111222333L01", d(2026, 6, 1), d(2026, 6, 30)),
        ),
        (
            "Loonaangifte 4 weeks, ISO-8859-1",
            build.loonaangifte(
                "111222333L02",
                d(2026, 1, 26),
                d(2026, 2, 22),
                encoding="ISO-8859-1",
                employer="Café De Gouden Leeuw B.V.",
            ),
        ),
        (
            "OB with a typo in the number",
            build.ob_return("001000045B37", d(2026, 1, 1), d(2026, 1, 31)),
        ),
        ("Empty delivery", b""),
        ("A PDF sent by mistake", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),
        (
            "Truncated OB",
            build.ob_return("001000044B37", d(2026, 2, 1), d(2026, 2, 28))[:900],
        ),
        (
            "XXE attempt",
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b"<x>&e;</x>",
        ),
        (
            "An invoice (UBL), not a return",
            b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
        ),
        (
            "KvK annual report",
            build.ob_return(
                "001000044B37",
                d(2025, 1, 1),
                d(2025, 12, 31),
                href="http://www.nltaxonomie.nl/nt20/kvk/20251210/entrypoints/kvk-rpt-jaarverantwoording-2025-nlgaap-micro.xsd",
            ),
        ),
    ]


def demo_command() -> None:
    """Build a realistic day of SBR messages, parse every one and show the results."""
    max_bytes = get_settings().max_message_bytes
    messages = demo_messages()
    results: list[tuple[str, ParseResult]] = []
    for name, data in track(messages, description="Parsing the demo inbox", transient=True):
        results.append((name, parse_message(data, max_bytes=max_bytes)))
    console = stdout_console()
    console.print(results_table(results, title="SBR inbox demo: one day of messages"))
    console.print(summary_line(r for _, r in results))
