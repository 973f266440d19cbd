"""``sbr-inbox demo``: the whole inbox on the embedded default, for a newcomer's first run.

It makes a fresh SQLite database (``sbr-inbox-demo.db`` in the working directory, recreated
each run, so the demo never mixes with real data), imports an office's client records, delivers
a realistic day of messages (every kind, several taxonomy years, every outcome: matched, each
unmatched reason the data allows, duplicates, a correction, hostile and broken deliveries),
runs the embedded worker (decide, start workflows, file in dossiers), then shows a member of
staff switching SBR on for one client, after which the waiting return is placed on its own.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import select

from cli.inbox import run_embedded
from cli.render import stdout_console
from config import get_settings
from crm.contacts import create_relation_from_contact
from crm.edits import set_sbr_settings, update_relation
from crm.importer import import_relations
from crm.offices import get_office
from inbox.intake import receive
from inbox.queries import list_returns
from inbox.runner import process_until_idle
from models import Product, Relation, Workflow, make_engine, session_scope
from models.migrate import upgrade
from sbr_parser import IdentifierType
from sbr_parser import message_builder as build

__all__ = ["DEMO_RELATIONS", "demo_command", "demo_messages"]

D = dt.date
Q1 = (D(2026, 1, 1), D(2026, 3, 31))


def _org(
    number: str,
    name: str,
    legal_form: str,
    numbers: list[dict[str, Any]],
    products: list[str],
    **extra: Any,
) -> dict[str, Any]:
    return {
        "number": number,
        "type": "organisation",
        "name": name,
        "legal_form": legal_form,
        "fiscal_numbers": numbers,
        "products": products,
        **extra,
    }


def _on(kind: str, value: str, start: str | None = "2024-12-31", **extra: Any) -> dict[str, Any]:
    return {"type": kind, "value": value, "sbr_enabled": True, "sbr_start_date": start, **extra}


def _off(kind: str, value: str) -> dict[str, Any]:
    return {"type": kind, "value": value, "sbr_enabled": False}


DEMO_RELATIONS: dict[str, Any] = {
    "office": "demo",
    "relations": [
        _org(
            "1001",
            "Jansen Holding B.V.",
            "bv",
            [
                _on("OB", "NL001000044B37", sbr_ideal=True),
                _on("BSN_RSIN", "001000044"),
                _on("LH", "001000044L01"),
                _off("LH", "001000044L02"),
            ],
            ["aangifte_ob", "opgaaf_icp", "aangifte_vpb", "loonaangifte"],
            contacts=[
                {
                    "number": "C1001",
                    "initials": "J.",
                    "first_names": "Jan",
                    "last_name": "Jansen",
                    "email": "jan@jansen.example",
                }
            ],
            team=[
                {"role": "accountmanager", "member": "anne"},
                {"role": "loonadministrateur", "member": "bram"},
            ],
        ),
        _org(
            "1002",
            "Bakker Installatietechniek",
            "eenmanszaak",
            [_on("OB", "111222333B01"), _on("BSN_RSIN", "111222333")],
            ["aangifte_ob"],
            contacts=[
                {"number": "1002", "initials": "P.", "first_names": "Piet", "last_name": "Bakker"}
            ],
        ),
        _org("1003", "De Vries Advies", "vof", [_off("OB", "123456782B01")], ["aangifte_ob"]),
        _org(
            "1004",
            "Stichting Buurthuis",
            "stichting",
            [_on("OB", "100000009B01", start="2026-04-01")],
            ["aangifte_ob"],
        ),
        _org("1005", "Smit Transport B.V.", "bv", [_on("OB", "100000022B01")], []),
        {
            "number": "2001",
            "type": "person",
            "last_name": "Visser",
            "initials": "A.",
            "fiscal_numbers": [_on("BSN_RSIN", "100000046")],
            "products": ["aangifte_ib"],
        },
        {
            "number": "2002",
            "type": "person",
            "last_name": "Visser-de Boer",
            "initials": "M.",
            "fiscal_numbers": [_on("BSN_RSIN", "100000046")],
            "products": ["aangifte_ib"],
        },
        {
            "number": "9001",
            "type": "supplier",
            "name": "Kantoorartikelen B.V.",
            "fiscal_numbers": [_on("OB", "100000071B01")],
        },
    ],
}


def demo_messages() -> list[tuple[str, bytes]]:
    """A day in the office's inbox: every kind and outcome, and bad deliveries."""
    ob_q1 = build.ob_return("001000044B37", *Q1)
    return [
        ("OB Q1 2026 Jansen (NT20)", ob_q1),
        ("OB Q1 2026 Jansen, delivered twice", ob_q1),
        ("Suppletie OB Q1 2026 Jansen (version 2)", build.ob_suppletie("NL001000044B37", *Q1)),
        ("ICP Q1 2026 Jansen", build.icp_return("001000044B37", *Q1)),
        ("VPB 2025 Jansen", build.vpb_return("001000044", D(2025, 1, 1), D(2025, 12, 31))),
        (
            "Loonaangifte Jan 2026 Jansen L01",
            build.loonaangifte("001000044L01", D(2026, 1, 1), D(2026, 1, 31)),
        ),
        (
            "Loonaangifte Jan 2026 Jansen L02 (SBR off)",
            build.loonaangifte(
                "001000044L02",
                D(2026, 1, 1),
                D(2026, 1, 31),
                encoding="ISO-8859-1",
                employer="Café De Gouden Leeuw B.V.",
            ),
        ),
        ("IB 2025 P. Bakker (BSN on the eenmanszaak)", build.ib_return("111222333", 2025)),
        (
            "VPB 2025 for the eenmanszaak",
            build.vpb_return("111222333", D(2025, 1, 1), D(2025, 12, 31)),
        ),
        (
            "OB Oct 2025 De Vries (NT19, SBR off)",
            build.ob_return("123456782B01", D(2025, 10, 1), D(2025, 10, 31)),
        ),
        ("OB Q1 2026 Buurthuis (before SBR start)", build.ob_return("100000009B01", *Q1)),
        ("OB Q1 2026 Smit (no product)", build.ob_return("100000022B01", *Q1)),
        (
            "IB 2025 Visser (BSN on two relations)",
            build.ib_return("100000046", 2025, partner_bsn=None),
        ),
        ("OB from a supplier's number", build.ob_return("100000071B01", *Q1)),
        ("OB with a typo in the number", build.ob_return("001000045B37", *Q1)),
        ("OB of an unknown client", build.ob_return("262157196B01", *Q1)),
        ("Empty delivery", b""),
        ("A PDF sent by mistake", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),
        ("Truncated OB", build.ob_return("001000044B37", D(2026, 2, 1), D(2026, 2, 28))[:900]),
        (
            "XXE attempt",
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM '
            b'"file:///etc/passwd">]><x>&e;</x>',
        ),
        (
            "An invoice (UBL), not a return",
            b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
        ),
        (
            "KvK annual report",
            build.ob_return(
                "001000044B37",
                D(2025, 1, 1),
                D(2025, 12, 31),
                href="http://www.nltaxonomie.nl/nt20/kvk/20251210/entrypoints/"
                "kvk-rpt-jaarverantwoording-2025-nlgaap-micro.xsd",
            ),
        ),
    ]


def demo_command(
    database: Annotated[
        Path, typer.Option(help="The demo's own SQLite file, recreated on each run.")
    ] = Path("sbr-inbox-demo.db"),
) -> None:
    """Run the whole inbox on a fresh embedded database and show what it did."""
    database.unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    upgrade(url)
    engine = make_engine(url)
    console = stdout_console()
    with session_scope(engine) as session:
        import_relations(session, DEMO_RELATIONS)
        office = get_office(session, "demo")
        create_relation_from_contact(session, office, "1002")  # the copied BSN: 1002-1
        update_relation(session, office, "1002-1", {"products": ["aangifte_ib"]})
        for name, data in demo_messages():
            receive(session, office, data, name)
    report = run_embedded(engine, "Processing the inbox")
    console.print(_returns_table(engine))
    console.print(_summary(engine))
    console.print(
        "[bold]Staff switch SBR on for 1003 (De Vries Advies)[/]: "
        "the waiting return is decided again, with no other action."
    )
    with session_scope(engine) as session:
        set_sbr_settings(
            session,
            get_office(session, "demo"),
            "1003",
            IdentifierType.OB,
            "123456782B01",
            enabled=True,
            start_date=D(2025, 9, 30),
        )
    settings = get_settings()
    again = process_until_idle(
        engine, max_bytes=settings.max_message_bytes, max_attempts=settings.max_attempts
    )
    console.print(f"  {again.redecided} return(s) placed after the change.")
    console.print(_workflows_table(engine))
    console.print(
        f"{report.processed} messages processed, {report.effects + again.effects} effects run. "
        f"Explore: SBR_INBOX_DATABASE_URL={url} sbr-inbox returns list"
    )
    engine.dispose()


def _returns_table(engine: Any) -> Table:
    table = Table(title="SBR inbox demo: one day of messages", show_lines=False)
    for column in ("message", "kind", "status", "reason", "relation", "v", "why (English)"):
        table.add_column(column, overflow="fold")
    with session_scope(engine) as session:
        records = list_returns(session, get_office(session, "demo"))
    for record in records:
        table.add_row(
            record.file,
            record.kind or "",
            record.status,
            record.reason or "",
            record.relation_number or "",
            str(record.version or ""),
            record.explanation_en or "",
        )
    return table


def _summary(engine: Any) -> Table:
    with session_scope(engine) as session:
        records = list_returns(session, get_office(session, "demo"))
    counts = Counter((r.status, r.reason or "") for r in records)
    table = Table(title="Summary")
    table.add_column("status")
    table.add_column("reason")
    table.add_column("returns", justify="right")
    for (status, reason), count in sorted(counts.items()):
        table.add_row(status, reason, str(count))
    return table


def _workflows_table(engine: Any) -> Table:
    table = Table(title="Workflows started")
    for column in ("relation", "product", "period", "status", "iDEAL", "amount due"):
        table.add_column(column)
    with session_scope(engine) as session:
        rows = session.execute(
            select(Relation.number, Product.code, Workflow)
            .join(Relation, Relation.id == Workflow.relation_id)
            .join(Product, Product.id == Workflow.product_id)
            .order_by(Relation.number, Product.code, Workflow.period_start)
        )
        for number, code, workflow in rows:
            table.add_row(
                number,
                code,
                f"{workflow.period_start}..{workflow.period_end}",
                workflow.status,
                "yes" if workflow.ideal_payment else "no",
                "" if workflow.amount_due is None else str(workflow.amount_due),
            )
    return table
