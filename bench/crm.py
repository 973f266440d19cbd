"""Benchmark the CRM: a large relations import, and the fiscal-number lookup as offices grow.

Prints:

* import: relations/s and fiscal numbers/s for ``--relations`` relations (default 100,000) with
  2 fiscal numbers each, read from a JSON file through the real import (parse, validate, write,
  change events, timeline, default dossier), and the process's peak RSS before and after;
* lookup: µs per ``crm.queries.fiscal_numbers_by_value`` in an office holding 1,000 fiscal
  numbers and in one holding ``--large`` (default 1,000,000), in the same database, and their
  ratio (target <= 1.5: the lookup is one index probe, whatever the office's size).

The large office is filled with bulk inserts (the import's speed is measured separately).

Usage: ``python bench/crm.py [--backend sqlite|postgresql] [--relations N] [--large N]``
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Run as a script, this file's folder leads sys.path and its name would hide the crm package.
if not __package__:
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from sqlalchemy import Engine

from bench.common import database, fill_office, peak_rss_mb
from cli.render import progress_bar, stage_progress
from crm.importer import import_relations
from crm.offices import get_office
from crm.queries import fiscal_numbers_by_value
from models import make_engine, session_scope
from sbr_parser import IdentifierType
from sbr_parser.message_builder import bsn_for


def relations_document(count: int) -> dict[str, Any]:
    """``count`` organisations, each with an OB number and a payroll number, all distinct."""
    return {
        "office": "import",
        "relations": [
            {
                "number": f"R{index:07d}",
                "type": "organisation",
                "name": f"Klant {index} B.V.",
                "legal_form": "bv",
                "visiting_address": {
                    "street": "Dorpsstraat",
                    "house_number": str(index % 300),
                    "postcode": "1234 AB",
                    "city": "Utrecht",
                },
                "fiscal_numbers": [
                    {
                        "type": "OB",
                        "value": f"NL{bsn_for(index)}B01",
                        "sbr_enabled": True,
                        "sbr_start_date": "2024-12-31",
                    },
                    {"type": "LH", "value": f"{bsn_for(index)}L01", "sbr_enabled": True},
                ],
                "products": ["aangifte_ob", "loonaangifte"],
            }
            for index in range(count)
        ],
    }


def bench_import(engine: Engine, count: int, folder: Path) -> None:
    path = folder / "relations.json"
    path.write_text(json.dumps(relations_document(count)), encoding="utf-8")
    size_mb = path.stat().st_size / 1e6
    before = peak_rss_mb()
    started = time.perf_counter()
    with progress_bar() as progress:
        data = json.loads(path.read_text(encoding="utf-8"))
        with session_scope(engine) as session:
            report = import_relations(session, data, progress=stage_progress(progress))
    elapsed = time.perf_counter() - started
    del data
    print(f"import: {count:,} relations x 2 fiscal numbers ({size_mb:.1f} MB JSON)")
    print(
        f"  {elapsed:.1f} s: {count / elapsed:,.0f} relations/s, {2 * count / elapsed:,.0f} "
        f"fiscal numbers/s ({report.created:,} created, {report.change_events:,} change events)"
    )
    print(f"  peak RSS: {before:,.0f} MB before, {peak_rss_mb():,.0f} MB after")


def lookup_us(engine: Engine, code: str, values: list[str], lookups: int) -> float:
    rng = random.Random(7)  # noqa: S311 - picking probes, not secrets
    probes = [rng.choice(values) for _ in range(lookups)]
    rounds = []
    with session_scope(engine) as session:
        office = get_office(session, code)
        for probe in probes[:100]:  # warm the cache and the connection
            fiscal_numbers_by_value(session, office, IdentifierType.OB, probe)
        for _ in range(5):
            started = time.perf_counter()
            for probe in probes:
                found = fiscal_numbers_by_value(session, office, IdentifierType.OB, probe)
                if not found:
                    raise RuntimeError(f"lookup of {probe} found nothing")
            rounds.append((time.perf_counter() - started) / len(probes) * 1e6)
            session.expunge_all()
    return statistics.median(rounds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--relations", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, database(args.backend, Path(tmp)) as url:
        engine = make_engine(url)
        print(f"backend: {engine.dialect.name}")
        bench_import(engine, args.relations, Path(tmp))
        small = fill_office(engine, "small", 500, offset=20_000_000, numbers_per_relation=2)
        large = fill_office(
            engine, "large", args.large // 2, offset=21_000_000, numbers_per_relation=2
        )
        small_us = lookup_us(engine, "small", small, args.lookups)
        large_us = lookup_us(engine, "large", large, args.lookups)
        print(
            f"lookup: {small_us:.1f} µs among 1,000 fiscal numbers, {large_us:.1f} µs among "
            f"{args.large:,}: ratio {large_us / small_us:.2f} (target <= 1.5)"
        )
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
