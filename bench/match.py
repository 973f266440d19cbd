"""Benchmark matching: decisions per second in an office of 1,000 and of 1,000,000 relations.

Per backend it prints, for each office size:

* ``decide``: the candidate query (one indexed round trip) plus the eight rules, per return;
* ``process``: a stored return taken end to end by ``inbox.process.process_return`` (read the
  bytes, parse, duplicate check, decide, workflow, history), one transaction each;

and the ratio of the 1M figure to the 1k figure (target: within 1.5x).

Usage: ``python bench/match.py [--backend sqlite|postgresql|both] [--large N] [--returns N]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

if not __package__:
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from sqlalchemy import Engine

from bench.common import database, fill_office
from crm.offices import get_office
from inbox.intake import receive
from inbox.process import process_return
from matching.candidates import find_candidates
from matching.decide import ReturnFacts, decide
from models import make_engine, session_scope
from sbr_parser import IdentifierType, ReturnKind
from sbr_parser import message_builder as build

Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def decisions_per_second(engine: Engine, code: str, numbers: list[str], count: int) -> float:
    rng = random.Random(11)  # noqa: S311 - picking probes, not secrets
    probes = [rng.choice(numbers) for _ in range(count)]
    with session_scope(engine) as session:
        office_id = get_office(session, code).id
        for probe in probes[:200]:  # warm-up
            find_candidates(session, office_id, IdentifierType.OB, probe)
        started = time.perf_counter()
        for probe in probes:
            facts = ReturnFacts(ReturnKind.OB, probe, True, *Q1)
            decision = decide(facts, find_candidates(session, office_id, IdentifierType.OB, probe))
            if not decision.matched:
                raise RuntimeError(f"{probe}: {decision.explanation_en}")
        return count / (time.perf_counter() - started)


def processed_per_second(engine: Engine, code: str, numbers: list[str], count: int) -> float:
    rng = random.Random(13)  # noqa: S311
    messages = [
        build.ob_return(number, *Q1, amount_due=index + 1)
        for index, number in enumerate(rng.sample(numbers, count))
    ]
    with session_scope(engine) as session:
        office = get_office(session, code)
        ids = [
            receive(session, office, data, f"{code}-{i}.xbrl").id for i, data in enumerate(messages)
        ]
    started = time.perf_counter()
    for return_id in ids:
        with session_scope(engine) as session:
            outcome = process_return(session, return_id, max_bytes=10_000_000)
            if outcome.status is None or outcome.status.value != "matched":
                raise RuntimeError(f"return {return_id}: {outcome}")
    return count / (time.perf_counter() - started)


def run(backend: str, large: int, decisions: int, returns: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, database(backend, Path(tmp)) as url:
        engine = make_engine(url)
        offices = {
            1_000: fill_office(engine, "k", 1_000, offset=30_000_000, with_product=True),
            large: fill_office(engine, "m", large, offset=31_000_000, with_product=True),
        }
        results = {
            size: (
                decisions_per_second(engine, "k" if size == 1_000 else "m", numbers, decisions),
                processed_per_second(engine, "k" if size == 1_000 else "m", numbers, returns),
            )
            for size, numbers in offices.items()
        }
        engine.dispose()
    small, big = results[1_000], results[large]
    for size, (decided, processed) in results.items():
        print(
            f"{backend:10} {size:>9,} relations: decide {decided:8,.0f}/s   "
            f"process {processed:6,.0f}/s"
        )
    print(
        f"{backend:10} time 1M / time 1k: decide {small[0] / big[0]:.2f}, "
        f"process {small[1] / big[1]:.2f} (target <= 1.5)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--decisions", type=int, default=5_000)
    parser.add_argument("--returns", type=int, default=500)
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        run(backend, args.large, args.decisions, args.returns)
    return 0


if __name__ == "__main__":
    sys.exit(main())
