"""``sbr-inbox parse FILE... [--json]``: parse messages from disk without storing anything."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from cli.render import json_line, results_table, stdout_console, summary_line
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
    # Imported here: the settings (pydantic-settings) and the progress bar cost more to load
    # than parsing a few files, and `--help` needs neither.
    from config import get_settings  # noqa: PLC0415

    max_bytes = get_settings().max_message_bytes
    files = list(expand_paths(paths))
    rejected = False
    if as_json:
        # One write per line into stdout's own buffer (flushed when full and at exit), not an
        # echo with a flush per file; nothing kept per file, so a folder of any size streams.
        write = sys.stdout.write
        for file in files:
            name = str(file)
            result = _parse_one(file, max_bytes)
            rejected = rejected or not isinstance(result, ParsedReturn)
            write(json_line(name, result) + "\n")
        sys.stdout.flush()
    else:
        from rich.console import Console  # noqa: PLC0415
        from rich.progress import Progress  # noqa: PLC0415

        err = Console(stderr=True)
        results: list[tuple[str, ParseResult]] = []
        with Progress(console=err, transient=True, disable=len(files) < _PROGRESS_FROM) as bar:
            task = bar.add_task("Parsing", total=len(files))
            for file in files:
                results.append((str(file), _parse_one(file, max_bytes)))
                bar.advance(task)
        console = stdout_console()
        console.print(results_table(results))
        console.print(summary_line(r for _, r in results))
        rejected = any(not isinstance(r, ParsedReturn) for _, r in results)
    if rejected:
        raise typer.Exit(code=1)


def expand_paths(paths: list[Path]) -> Iterator[Path]:
    """Files as given, folders as their files recursively (sorted by name); each file once.

    The same file reached twice (a second argument, a link) is known by its device and inode.
    Folders are read with ``os.scandir``, whose entries already know whether they are files and
    their inode: one system call per folder, not two or three per file.
    """
    seen: set[tuple[int, int]] = set()
    for path in paths:
        for candidate, key in _files(path):
            if key is None or key not in seen:
                if key is not None:
                    seen.add(key)
                yield candidate


def _files(path: Path) -> Iterator[tuple[Path, tuple[int, int] | None]]:
    """``path``'s files with their (device, inode); None when it cannot be read (the parse
    then reports it)."""
    try:
        status = path.stat()
    except OSError:
        yield path, None
        return
    if not path.is_dir():
        yield path, (status.st_dev, status.st_ino)
        return
    folders = [(str(path), status.st_dev)]
    found: list[tuple[str, tuple[int, int]]] = []
    while folders:
        folder, device = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((entry.path, device))
                elif entry.is_file():
                    if entry.is_symlink():  # known by what it points at
                        target = entry.stat()
                        found.append((entry.path, (target.st_dev, target.st_ino)))
                    else:
                        found.append((entry.path, (device, entry.inode())))
    for name, key in sorted(found):
        yield Path(name), key


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
