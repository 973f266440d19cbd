"""``sbr-inbox parse FILE... [--json]``: parse messages from disk without storing anything."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from cli.render import json_line, results_table, stdout_console, summary_line
from config import get_settings
from sbr_parser import ParsedReturn, ParseResult, Rejection, RejectionReason, parse_file

__all__ = ["expand_paths", "parse_command"]

# Above this many files the table view shows a progress bar while it works.
_PROGRESS_FROM = 50


def parse_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Message files, or folders to read recursively.", exists=True, show_default=False
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per line per file (docs/contracts.md).")
    ] = False,
) -> None:
    """Parse SBR messages and show kind, identifier and period, or why each was rejected.

    Exits 0 when every file parsed, 1 when any was rejected.
    """
    max_bytes = get_settings().max_message_bytes
    files = list(expand_paths(paths))
    results: list[tuple[str, ParseResult]] = []
    if as_json:
        for file in files:
            result = _parse_one(file, max_bytes)
            results.append((str(file), result))
            typer.echo(json_line(str(file), result))
    else:
        err = Console(stderr=True)
        with Progress(console=err, transient=True, disable=len(files) < _PROGRESS_FROM) as bar:
            task = bar.add_task("Parsing", total=len(files))
            for file in files:
                results.append((str(file), _parse_one(file, max_bytes)))
                bar.advance(task)
        console = stdout_console()
        console.print(results_table(results))
        console.print(summary_line(r for _, r in results))
    if any(not isinstance(r, ParsedReturn) for _, r in results):
        raise typer.Exit(code=1)


def expand_paths(paths: list[Path]) -> Iterator[Path]:
    """Files as given, folders as their files recursively (sorted); each file once."""
    seen: set[Path] = set()
    for path in paths:
        candidates = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                yield candidate


def _parse_one(file: Path, max_bytes: int) -> ParseResult:
    try:
        return parse_file(file, max_bytes=max_bytes)
    except OSError as exc:
        # A file we cannot read is still reported, never skipped.
        return Rejection(
            sha256="",
            size=0,
            reason=RejectionReason.PARSE_ERROR,
            detail=f"The file could not be read: {exc.strerror or exc}",
            filename=str(file),
        )
