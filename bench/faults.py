"""The fault suite with larger counts: each fault injected into a run of ``--messages``.

Prints, per fault, the counts the tests assert on (returns, kills, restarts, lost, duplicated)
and the time to recover. Uses a scratch PostgreSQL database per fault, a Redis db of its own
(a private redis-server, so restarting it disturbs nobody).

Usage: ``python bench/faults.py [--messages N] [--fault NAME ...]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

if not __package__:
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.common import database
from tests.support.harness import Pipeline, private_redis, run_fault
from tests.support.scratch import DEFAULT_ADMIN_URL

FAULTS = ("kill_worker", "restart_redis", "restart_postgres", "deliver_twice")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1_000)
    parser.add_argument("--fault", choices=FAULTS, nargs="*", default=list(FAULTS))
    args = parser.parse_args()
    admin = os.environ.get("SBR_INBOX_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)
    failed = False
    for fault in args.fault:
        with (
            tempfile.TemporaryDirectory() as tmp,
            database("postgresql", Path(tmp)) as url,
            private_redis() as (broker, restart),
        ):
            pipeline = Pipeline(url, broker, Path(tmp))
            started = time.perf_counter()
            try:
                counts = run_fault(
                    pipeline,
                    fault,
                    messages=args.messages,
                    relations=100,
                    restart_redis=restart,
                    admin_url=admin,
                )
            finally:
                pipeline.stop_all()
        failed |= bool(counts["lost"] or counts["duplicated"])
        summary = ", ".join(f"{key}={value}" for key, value in counts.items())
        print(f"{fault:17} {summary} ({time.perf_counter() - started:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
