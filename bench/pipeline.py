"""Benchmark the pipeline: returns/s end to end with 1 and 2 worker processes.

In one run, on a private Redis and a scratch PostgreSQL database, it measures:

* the ceiling: no-op Celery tasks/s through the same broker and worker settings;
* returns/s end to end (stored -> process_return -> start_workflow + file_in_dossier done),
  with ``--concurrency 1`` and ``2``, and its ratio to the ceiling (issue 16's target: >= 1.0);
* how long one return delivered to the idle system takes to be decided and filed (target
  <= 1 s);
* the worker's RSS (main process + pool) before and after the run; a run of more than 5,000
  returns is delivered in parts of 5,000 and prints the RSS after each, and the growth after
  the first 10,000 (issue 16's target: < 10 %).

Returns are stored (one commit per part, timed apart as the intake rate) before the clock
starts, and one nudge sends the workers at them, as intake does.

Usage: ``python bench/pipeline.py [--returns N] [--relations N] [--noops N]``
(``--returns 100000 --concurrency 2`` for the memory figure; about 15 minutes here).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if not __package__:
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import redis

from bench.common import database
from models import InboxReturn, ReturnStatus, session_scope
from sbr_parser import message_builder as build
from tests.support.harness import (
    Pipeline,
    day_of_messages,
    private_redis,
    queues_drained,
    seed_office,
)
from workers.nudge import nudge

TASKS_PER_RETURN = 3


def worker_rss_mb(pipeline: Pipeline) -> float:
    """Resident memory of the worker's process group (main process and pool children)."""
    pgid = pipeline.processes["worker"].pid
    output = subprocess.run(
        ["ps", "-o", "rss=", "-g", str(pgid)], capture_output=True, text=True, check=False
    ).stdout
    return sum(int(value) for value in output.split()) / 1024


def noop_rate(pipeline: Pipeline, count: int) -> float:
    client = redis.Redis.from_url(pipeline.broker_url)
    started = time.perf_counter()
    for _ in range(count):
        pipeline.celery.send_task("sbr.noop", queue="inbox")
    while not queues_drained(client):
        time.sleep(0.01)
    client.close()
    return count / (time.perf_counter() - started)


def idle_latency(pipeline: Pipeline, message: bytes) -> float:
    """Seconds from delivering one return to an idle system until it is decided and filed."""
    started = time.perf_counter()
    [return_id] = pipeline.deliver("demo", [message])
    while True:
        with session_scope(pipeline.engine) as session:
            row = session.get(InboxReturn, return_id)
            if (
                row is not None
                and row.status is not ReturnStatus.RECEIVED
                and (row.filed or row.status is not ReturnStatus.MATCHED)
            ):
                return time.perf_counter() - started
        time.sleep(0.005)


#: Returns per delivery in a long run: stored in one commit, then decided, then the next part.
PART = 5_000
#: RSS growth is judged after this many returns (warm-up: imports, caches, pools filled).
WARM = 10_000


def run(concurrency: int, returns: int, relations: int, noops: int, folder: Path) -> None:
    with database("postgresql", folder) as url, private_redis() as (broker, _restart):
        pipeline = Pipeline(url, broker, folder, env_extra={"SBR_INBOX_STUCK_AFTER_SECONDS": "600"})
        try:
            numbers = seed_office(pipeline.engine, "demo", relations)
            pipeline.start_worker(concurrency=concurrency, with_noop=True)
            before = worker_rss_mb(pipeline)
            ceiling = noop_rate(pipeline, noops)
            elapsed = storing = 0.0
            samples: list[tuple[int, float]] = []
            # In parts of PART returns: intake first (one commit, as a bulk upload), then the
            # clock (stored -> filed); intake is not in the end-to-end figure.
            for start in range(0, returns, PART):
                messages = day_of_messages(numbers, min(PART, returns - start), start=start)
                stored_at = time.perf_counter()
                ids = pipeline.store("demo", messages)
                del messages
                started = time.perf_counter()
                storing += started - stored_at
                nudge(pipeline.celery, ids)
                pipeline.wait_until_settled(timeout=max(600, PART / 5), poll=0.02)
                took = time.perf_counter() - started
                elapsed += took
                samples.append((start + len(ids), worker_rss_mb(pipeline)))
                if returns > PART:
                    print(
                        f"  {samples[-1][0]:,} returns: worker RSS {samples[-1][1]:,.0f} MB; "
                        f"this part {len(ids) / took:,.0f} returns/s"
                    )
            latency = idle_latency(
                pipeline, build.ob_return(numbers[0], dt.date(2030, 1, 1), dt.date(2030, 3, 31))
            )
            audit = pipeline.audit()
            with pipeline.engine.connect() as connection:
                autovacuum = connection.exec_driver_sql("SHOW autovacuum").scalar_one()
        finally:
            pipeline.stop_all()
    rate = returns / elapsed
    after = samples[-1][1]
    warm = next((rss for done, rss in samples if done >= WARM), None)
    growth = (
        f"; after the first {WARM:,}: {warm:,.0f} -> {after:,.0f} MB ({after / warm - 1:+.1%})"
        if warm is not None and returns > WARM
        else ""
    )
    print(
        f"concurrency {concurrency}: no-op ceiling {ceiling:,.0f} tasks/s; end to end "
        f"{rate:,.0f} returns/s for {returns:,} returns of {relations:,} relations; ratio "
        f"{rate / ceiling:.2f} (target >= 1.0; {rate / (ceiling / TASKS_PER_RETURN):.0%} of "
        f"ceiling/3); one return on an idle system decided and filed in {latency:.2f} s; "
        f"{audit.matched:,} matched, lost={audit.lost}, duplicated={audit.duplicated}; "
        f"worker RSS {before:,.0f} MB -> {after:,.0f} MB{growth}; intake (bench process, "
        f"one commit per {PART:,}) {returns / storing:,.0f} returns/s, not in the end-to-end "
        "figure"
    )
    if autovacuum != "on":
        # The rate of a long run depends on it: dead row versions pile up in every index.
        print(
            f"  (PostgreSQL autovacuum is {autovacuum} here: no dead row is cleaned up during "
            "the run, as on no production server)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--returns", type=int, default=3_000)
    parser.add_argument("--relations", type=int, default=1_000)
    parser.add_argument("--noops", type=int, default=5_000)
    parser.add_argument("--concurrency", type=int, nargs="*", default=[1, 2])
    args = parser.parse_args()
    for concurrency in args.concurrency:
        with tempfile.TemporaryDirectory() as tmp:
            run(concurrency, args.returns, args.relations, args.noops, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
