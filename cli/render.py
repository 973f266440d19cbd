"""How parse results look on a terminal and in JSON lines; shared by ``parse`` and ``demo``."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from sbr_parser import ParsedReturn, ParseResult

if TYPE_CHECKING:  # loaded by the commands that show progress or records, not by `parse`
    from pydantic import BaseModel
    from rich.progress import Progress

__all__ = ["json_line", "results_table", "summary_line"]


def json_line(file: str, result: ParseResult) -> str:
    """One ``parse --json`` line: ``file`` first, then the docs/contracts.md fields."""
    return _encode({"file": file, **result.to_record()})


# Made once: ``json.dumps`` with any option builds a new encoder on every call.
_encode = json.JSONEncoder(ensure_ascii=False).encode


def results_table(rows: Iterable[tuple[str, ParseResult]], *, title: str | None = None) -> Table:
    """A readable table of parse results, one row per message."""
    table = Table(title=title, show_lines=False, expand=False)
    table.add_column("File / message", overflow="fold", max_width=40)
    table.add_column("Status", no_wrap=True)
    table.add_column("Kind", no_wrap=True)
    table.add_column("Identifier", no_wrap=True)
    table.add_column("Period", no_wrap=True)
    table.add_column("Entrypoint", no_wrap=True)
    table.add_column("Amount", justify="right", no_wrap=True)
    table.add_column("Reason", overflow="fold", min_width=30)
    for name, result in rows:
        if isinstance(result, ParsedReturn):
            identifier = result.identifier
            if not result.identifier_valid:
                identifier += " [yellow]✗ check[/yellow]"
            table.add_row(
                name,
                "[green]parsed[/green]",
                result.kind.value,
                identifier,
                f"{result.period_start}..{result.period_end}",
                result.taxonomy.entrypoint,
                "" if result.amount_due is None else f"€ {result.amount_due}",
                "",
            )
        else:
            table.add_row(
                name,
                "[red]rejected[/red]",
                result.kind.value if result.kind else "",
                result.identifier or "",
                "",
                result.taxonomy.entrypoint if result.taxonomy else "",
                "",
                f"[bold]{result.reason.value}[/bold]: {result.detail}",
            )
    return table


def summary_line(results: Iterable[ParseResult]) -> str:
    """``7 parsed (OB 2, IB 1, ...), 3 rejected (empty 1, ...)``."""
    parsed: Counter[str] = Counter()
    rejected: Counter[str] = Counter()
    for result in results:
        if isinstance(result, ParsedReturn):
            parsed[result.kind.value] += 1
        else:
            rejected[result.reason.value] += 1

    def detail(counter: Counter[str]) -> str:
        return f" ({', '.join(f'{k} {v}' for k, v in sorted(counter.items()))})" if counter else ""

    return (
        f"{sum(parsed.values())} parsed{detail(parsed)}, "
        f"{sum(rejected.values())} rejected{detail(rejected)}"
    )


def json_array(records: Iterable[BaseModel]) -> str:
    """Typed records as the JSON array of their contract (docs/contracts.md), one line."""
    return json.dumps([record.model_dump() for record in records], ensure_ascii=False)


def stdout_console() -> Console:
    """The console for tables; wide enough that a redirected table stays readable."""
    return Console(width=None if Console().is_terminal else 160)


def progress_bar() -> Progress:
    """The bar of long CLI jobs: on stderr (stdout stays clean for --json), gone when done."""
    from rich.progress import (  # noqa: PLC0415
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def stage_progress(
    progress: Progress, labels: Mapping[str, str] | None = None
) -> Callable[[str, int, int], None]:
    """A ``progress(stage, advance, total)`` callback (``crm.importer.Progress``) that shows
    one bar per stage, labelled from ``labels`` (the stage name otherwise)."""
    tasks: dict[str, int] = {}

    def advance(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task((labels or {}).get(stage, stage), total=total)
        progress.advance(tasks[stage], done)  # type: ignore[arg-type]

    return advance
