"""Benchmark the command line: ``sbr-inbox parse`` per file against bare lxml, and start-up.

In one run it writes ``--files`` messages (default 1,500) to a scratch folder and prints:

* bare ``lxml.etree.fromstring`` of each file's bytes, in-process (the floor), µs per file;
* ``sbr-inbox parse --json FOLDER`` measured from outside, its start-up (the same command on
  one file) subtracted, µs per file, and the ratio to bare lxml (target <= 2.0);
* the in-process parser (``sbr_parser.parse_file``) per file, for comparison: on its first pass
  over the files (every number new, as for the command) and on later passes;
* start-up of ``--help``, ``parse --help`` and ``returns list`` (on an empty embedded
  database), best of ``--repeat`` runs (target <= 0.3 s).

Usage: ``python bench/cli_parse.py [--files N] [--repeat N]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if not __package__:
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from lxml import etree

from sbr_parser import message_builder as build
from sbr_parser import parse_file

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "cli.main"]


def write_messages(folder: Path, count: int) -> list[Path]:
    """``count`` OB returns for distinct numbers and quarters."""
    quarters = [
        (dt.date(2026, m, 1), dt.date(2026, m + 2, 30 if m in (4, 7) else 31))
        for m in (1, 4, 7, 10)
    ]
    paths = []
    for index in range(count):
        start, end = quarters[index % 4]
        path = folder / f"{index:05d}.xbrl"
        path.write_bytes(build.ob_return(f"{build.bsn_for(index)}B01", start, end))
        paths.append(path)
    return paths


def best(command: list[str], repeat: int, env: dict[str, str]) -> float:
    """The fastest of ``repeat`` runs of ``command``, in seconds (output discarded)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "messages"
        folder.mkdir()
        paths = write_messages(folder, args.files)
        env = {**os.environ, "SBR_INBOX_DATABASE_URL": f"sqlite:///{scratch}/bench.db"}

        started = time.perf_counter()
        for _ in range(args.repeat):
            for path in paths:
                etree.fromstring(path.read_bytes())
        bare = (time.perf_counter() - started) / (args.repeat * len(paths))

        # The first pass meets every number for the first time, as the command does; later
        # passes find them in the identifier cache, as a worker mostly does.
        started = time.perf_counter()
        for path in paths:
            parse_file(path)
        first_pass = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(args.repeat):
            for path in paths:
                parse_file(path)
        in_process = (time.perf_counter() - started) / (args.repeat * len(paths))
        first_pass /= len(paths)

        one = best([*CLI, "parse", "--json", str(paths[0])], args.repeat, env)
        many = best([*CLI, "parse", "--json", str(folder)], args.repeat, env)
        cli = (many - one) / (len(paths) - 1)

        # Once first: it makes and migrates the embedded database the timed runs then find.
        subprocess.run(
            [*CLI, "returns", "list"], cwd=ROOT, env=env, capture_output=True, check=False
        )
        help_s = best([*CLI, "--help"], args.repeat, env)
        parse_help = best([*CLI, "parse", "--help"], args.repeat, env)
        returns = best([*CLI, "returns", "list"], args.repeat, env)

    print(f"files: {len(paths)}, best of {args.repeat} runs")
    print(f"bare lxml.etree.fromstring:      {bare * 1e6:8.1f} µs/file")
    print(
        f"sbr_parser.parse_file:           {in_process * 1e6:8.1f} µs/file  "
        f"ratio {in_process / bare:.2f} (numbers seen before; "
        f"first pass {first_pass * 1e6:.1f} µs, ratio {first_pass / bare:.2f})"
    )
    print(
        f"sbr-inbox parse --json (outside): {cli * 1e6:8.1f} µs/file  ratio {cli / bare:.2f} "
        "(target <= 2.0)"
    )
    print(
        f"start-up: --help {help_s:.2f} s, parse --help {parse_help:.2f} s, "
        f"returns list {returns:.2f} s (target <= 0.3 s)"
    )


if __name__ == "__main__":
    main()
