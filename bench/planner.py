"""Benchmark the planner: 100,000 quarterly rules, one run, then the same run again.

Prints workflows/s of the first run (each rule makes Q1-Q3 of 2026 when run on 15 July) and the
time of the second run, which must be a no-op in well under the first run's time.

Usage: ``python bench/planner.py [--rules N] [--backend sqlite|postgresql|both]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

if not __package__:
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from sqlalchemy import func, select

from bench.common import database, fill_office
from models import PlannerRule, Product, Relation, Workflow, make_engine, session_scope
from models.base import table_of
from planner.periods import first_schedule
from planner.rules import run_planner

FIRST = dt.date(2026, 1, 1)
TODAY = dt.date(2026, 7, 15)


def run(backend: str, rules: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, database(backend, Path(tmp)) as url:
        engine = make_engine(url)
        fill_office(engine, "p", rules, offset=32_000_000, with_product=True)
        with session_scope(engine) as session:
            office_id, product_id = session.execute(
                select(Product.office_id, Product.id).where(Product.code == "aangifte_ob")
            ).one()
            relation_ids = session.scalars(
                select(Relation.id).where(Relation.office_id == office_id)
            ).all()
            schedule = first_schedule("quarter", FIRST, 0)
            session.execute(
                table_of(PlannerRule).insert(),
                [
                    {
                        "office_id": office_id,
                        "relation_id": relation_id,
                        "product_id": product_id,
                        "period": "quarter",
                        "first_period_start": FIRST,
                        "create_days_before_start": 0,
                        "active": True,
                        **schedule,
                    }
                    for relation_id in relation_ids
                ],
            )
        started = time.perf_counter()
        with session_scope(engine) as session:
            first = run_planner(session, TODAY)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        with session_scope(engine) as session:
            second = run_planner(session, TODAY)
        second_s = time.perf_counter() - started
        with session_scope(engine) as session:
            total = session.scalar(select(func.count()).select_from(Workflow))
        engine.dispose()
    print(
        f"{backend:10} {rules:,} rules: first run {first.workflows_made:,} workflows in "
        f"{first_s:.1f} s = {first.workflows_made / first_s:,.0f} workflows/s; second run "
        f"{second.workflows_made} workflows in {second_s * 1000:.1f} ms "
        f"({second_s / first_s:.5f} of the first); {total:,} in the table"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        run(backend, args.rules)
    return 0


if __name__ == "__main__":
    sys.exit(main())
