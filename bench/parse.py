"""Benchmark the parser against bare lxml and against Arelle, on a typical and a 2 MB return.

Prints µs per message for:

* ``sbr_parser.parse_message`` (hardened parse, kind, identifier, period, checks, sha256),
* bare ``lxml.etree.fromstring`` of the same bytes (the floor: any parser must at least parse),
* Arelle (``arelle-release``), offline, loading the same instance from disk.

and the ratios ours/lxml (target <= 1.5) and Arelle/ours (target >= 100).

Arelle runs offline: it cannot fetch the Dutch Taxonomy here, so it loads the instance, its
contexts and units without the DTS. That is the *cheapest* Arelle can be; with the taxonomy it
would take seconds per message. Install it with ``pip install -e '.[bench]'`` (``make bench``).

With ``--limits`` it measures instead what one message can cost a worker in memory (issue 12):
the peak resident size of a fresh process parsing a message just under the element limit, and
one of the audit's 5 million tiny elements (now refused before parsing), each against the same
process's resident size before it parsed anything.

Usage: ``python bench/parse.py [--repeat N] [--limits]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from lxml import etree

from sbr_parser import ParsedReturn, parse_message
from sbr_parser import message_builder as build

# The real-sample corpus (docs/README.md): SBR_INBOX_SAMPLES_DIR, else beside the clone.
SAMPLES = Path(
    os.environ.get(
        "SBR_INBOX_SAMPLES_DIR", Path(__file__).resolve().parents[1].parent / "shared" / "samples"
    )
)


def per_call_us(func: Callable[[], object], *, budget_s: float, repeat: int) -> float:
    """Median over ``repeat`` rounds of the mean µs per call within a ~``budget_s`` round."""
    started = time.perf_counter()
    func()
    once = max(time.perf_counter() - started, 1e-7)
    number = max(1, int(budget_s / once))
    rounds = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(number):
            func()
        rounds.append((time.perf_counter() - started) / number * 1e6)
    return statistics.median(rounds)


def arelle_loader() -> Callable[[Path], Callable[[], object]] | None:
    try:
        from arelle import Cntlr  # noqa: PLC0415 - optional dependency, bench only
    except ImportError:
        return None
    controller = Cntlr.Cntlr(logFileName="logToBuffer")
    controller.webCache.workOffline = True

    def make(path: Path) -> Callable[[], object]:
        def load() -> object:
            model = controller.modelManager.load(str(path))
            contexts = len(model.contexts)
            model.close()
            return contexts

        return load

    return make


_PEAK_CHILD = """
import resource, sys
from sbr_parser import parse_message
elements = int(sys.argv[1])
data = b"<a>" + b"<b>1</b>" * elements + b"</a>"
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = parse_message(data, max_bytes=100_000_000)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(len(data), before, after, getattr(result, "reason", "parsed"))
"""


def limits() -> int:
    """Peak memory of parsing at and beyond the element limit, each in a fresh process."""
    from sbr_parser.limits import MAX_ELEMENTS  # noqa: PLC0415

    print(
        f"{'elements':>10} {'bytes':>12} {'RSS before MB':>14} {'peak MB':>8} {'x size':>7}  result"
    )
    for elements in (MAX_ELEMENTS - 1000, 5_000_000):
        completed = subprocess.run(
            [sys.executable, "-c", _PEAK_CHILD, str(elements)],
            capture_output=True,
            text=True,
            check=True,
        )
        size, before, after, reason = completed.stdout.split()
        growth = (int(after) - int(before)) * 1024  # ru_maxrss is KiB on Linux
        print(
            f"{elements:>10,} {int(size):>12,} {int(before) / 1024:>14.0f} "
            f"{int(after) / 1024:>8.0f} {growth / int(size):>7.1f}  {reason}"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds per measurement")
    parser.add_argument("--budget", type=float, default=0.3, help="seconds per round")
    parser.add_argument("--limits", action="store_true", help="measure peak memory at the limits")
    args = parser.parse_args()
    if args.limits:
        return limits()

    typical = SAMPLES / "ob" / "VB-01_bd-rpt-ob-aangifte-2020.xbrl"
    if not typical.is_file():
        print(
            f"sample not found: {typical}; set SBR_INBOX_SAMPLES_DIR to the sample corpus",
            file=sys.stderr,
        )
        return 2
    large_bytes = build.large_ib_return("111222333", 2024)
    with tempfile.TemporaryDirectory() as tmp:
        large = Path(tmp) / "large-ib-2024.xbrl"
        large.write_bytes(large_bytes)
        # (name, file, is XBRL): Arelle is an XBRL processor, so it only runs on XBRL cases.
        cases = [
            ("typical OB return (VB-01 NT14)", typical, True),
            (
                "IB VB-03 (NT13, 10 contexts)",
                SAMPLES / "ib" / "VB-03_bd-rpt-ihz-aangifte-2018.xbrl",
                True,
            ),
            (
                "Loonaangifte 2026 sample",
                SAMPLES / "lh" / "loonaangifte-2026-06-adm-001.xml",
                False,
            ),
            ("2 MB IB instance (generated)", large, True),
        ]
        make_arelle = arelle_loader()
        if make_arelle is None:
            print("arelle-release not installed: Arelle column skipped (make bench installs it)")
        header = (
            f"{'message':34} {'bytes':>9} {'ours µs':>10} {'lxml µs':>10} {'arelle µs':>11}"
            f" {'ours/lxml':>10} {'arelle/ours':>12}"
        )
        print(header)
        print("-" * len(header))
        for name, path, is_xbrl in cases:
            data = path.read_bytes()
            result = parse_message(data)
            assert isinstance(result, ParsedReturn), result  # noqa: S101 - guard the benchmark
            budget, repeat = args.budget, args.repeat
            ours = per_call_us(partial(parse_message, data), budget_s=budget, repeat=repeat)
            bare = per_call_us(partial(etree.fromstring, data), budget_s=budget, repeat=repeat)
            arelle = (
                per_call_us(make_arelle(path), budget_s=budget, repeat=max(3, repeat // 2))
                if make_arelle and is_xbrl
                else float("nan")
            )
            print(
                f"{name:34} {len(data):>9,} {ours:>10.1f} {bare:>10.1f} {arelle:>11.1f}"
                f" {ours / bare:>10.2f} {arelle / ours:>12.1f}"
            )
    print("targets: ours/lxml <= 1.5, arelle/ours >= 100")
    return 0


if __name__ == "__main__":
    sys.exit(main())
