"""Command groups whose commands are imported only when run.

``sbr-inbox --help`` used to import every command's module (SQLAlchemy, Alembic, FastAPI,
Celery: 1.3-1.9 s). Here each top-level command is a name, a one-line help and where it lives;
listing them imports nothing, and running one imports only its module. ``tests/cli`` checks
that every entry's help is its command's own first docstring line, so the two cannot drift.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer

# Typer carries its own copy of Click (``typer._click``); its groups and commands are of that
# copy's classes, so the stand-in is too.
from typer import _click as click
from typer.core import TyperCommand, TyperGroup

__all__ = ["LazyEntry", "LazyGroup", "load"]


@dataclass(frozen=True, slots=True)
class LazyEntry:
    """A top-level command: its name, its module and attribute (a Typer app, or a function
    registered under ``name``), and the help line the listing shows."""

    name: str
    module: str
    attribute: str
    help: str


def load(entry: LazyEntry) -> click.Command:
    """The entry's real Click command (its module imported now)."""
    target = getattr(importlib.import_module(entry.module), entry.attribute)
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name = entry.name
        return group
    single = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    single.command(name=entry.name)(target)
    return typer.main.get_command(single)


class _Placeholder(TyperCommand):
    """Stands in for a command in listings; becomes the real one when it is run."""

    def __init__(self, entry: LazyEntry) -> None:
        super().__init__(entry.name, help=entry.help, short_help=entry.help)
        self.entry = entry

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        return load(self.entry).make_context(info_name, args, parent=parent, **extra)


class LazyGroup(TyperGroup):
    """A Typer group over :class:`LazyEntry` items (set ``entries`` on the class)."""

    entries: tuple[LazyEntry, ...] = ()

    def list_commands(self, ctx: click.Context) -> list[str]:  # noqa: ARG002 - Click's signature
        return [entry.name for entry in self.entries]

    def get_command(
        self,
        ctx: click.Context,  # noqa: ARG002 - Click's signature
        cmd_name: str,
    ) -> click.Command | None:
        for entry in self.entries:
            if entry.name == cmd_name:
                return _Placeholder(entry)
        return None
