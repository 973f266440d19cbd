"""A drop folder: programs write files into it, the inbox takes each one once it is complete.

A file is complete when its size and modification time have not changed for ``settle_seconds``
(a program still writing it changes them) and its name is not a temporary one (``.part``,
``.tmp``, ``~``, or starting with a dot). Then its bytes and a ``received`` row are committed,
and only after that is the file moved to ``processed/`` (or ``rejected/`` when the parser
cannot read it as a return). A crash between commit and move leaves the file to be taken again
on restart: it becomes a ``duplicate`` of itself, never a lost message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from inbox.intake import receive
from models import Office, session_scope
from sbr_parser import ParsedReturn, parse_message

__all__ = ["DropFolder", "Taken"]

_TEMPORARY_SUFFIXES = (".part", ".tmp", ".crdownload", "~")


@dataclass(frozen=True, slots=True)
class Taken:
    """A file taken into the inbox."""

    path: Path
    return_id: int
    moved_to: Path


@dataclass
class DropFolder:
    """Polls ``folder`` and takes complete files into ``office``'s inbox."""

    folder: Path
    engine: Engine
    office: Office
    max_bytes: int
    settle_seconds: float = 2.0
    clock: Callable[[], float] = time.monotonic
    _seen: dict[Path, tuple[int, int, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("processed", "rejected"):
            (self.folder / name).mkdir(parents=True, exist_ok=True)

    def poll(self) -> list[Taken]:
        """Take every file that is complete now; returns what was taken."""
        now = self.clock()
        taken = []
        present = set()
        for path in sorted(p for p in self.folder.iterdir() if p.is_file()):
            if path.name.startswith(".") or path.name.endswith(_TEMPORARY_SUFFIXES):
                continue
            present.add(path)
            stat = path.stat()
            state = (stat.st_size, stat.st_mtime_ns)
            first = self._seen.get(path)
            if first is None or first[:2] != state:
                self._seen[path] = (*state, now)
                continue
            if now - first[2] >= self.settle_seconds:
                taken.append(self._take(path))
                del self._seen[path]
        for gone in set(self._seen) - present:
            del self._seen[gone]
        return taken

    def waiting(self) -> bool:
        """Whether files are seen but not yet complete."""
        return bool(self._seen)

    def _take(self, path: Path) -> Taken:
        data = path.read_bytes()
        with session_scope(self.engine) as session:
            row = receive(session, session.merge(self.office), data, path.name)
            return_id = row.id
        readable = isinstance(parse_message(data, max_bytes=self.max_bytes), ParsedReturn)
        target = self.folder / ("processed" if readable else "rejected") / path.name
        if target.exists():  # the same name delivered before: keep both
            target = target.with_name(f"{path.stem}.{return_id}{path.suffix}")
        path.replace(target)
        return Taken(path, return_id, target)
