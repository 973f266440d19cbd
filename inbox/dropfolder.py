"""A drop folder: programs write files into it, the inbox takes each one once it is complete.

A file is complete when its size and modification time have not changed for ``settle_seconds``
(a program still writing it changes them) and its name is not a temporary one (``.part``,
``.tmp``, ``~``, or starting with a dot). Then its bytes and a ``received`` row are committed,
and only after that is the file moved to ``processed/`` (or ``rejected/`` when the parser
cannot read it as a return). A crash between commit and move leaves the file to be taken again
on restart: it becomes a ``duplicate`` of itself, never a lost message.

Writers should write under a temporary name and rename when done: a writer that pauses longer
than ``settle_seconds`` mid-file would otherwise have its first half taken. As a second line of
defence the file's size and modification time are checked again after it was read and just
before the commit; a file that changed is left to settle again.

The folder is hostile ground (issue 12): anyone who can write into it can plant links.

* Only regular files directly inside the folder are read, opened with ``O_NOFOLLOW`` relative
  to the folder's own descriptor: a symbolic link (to ``/proc/self/environ``, say), a device,
  a FIFO or a sub-folder is skipped with one log line, never read.
* A regular file with more than one link is skipped the same way (issue 22): a hard link is
  the linked file itself under a second name (``/etc/shadow`` linked in on the same file
  system, say), which ``O_NOFOLLOW`` cannot tell from a file written here. The count is read
  again on the opened descriptor, so a link made between the listing and the open is caught.
* ``processed/`` and ``rejected/`` must be real folders inside it: a symlink there is refused at
  start, and each move opens them with ``O_NOFOLLOW`` and renames through directory
  descriptors, so replacing one by a link later cannot send files anywhere else.
* One bad file never stops the watcher: a name that is not UTF-8 is stored with ``?`` for its
  bad bytes, an unreadable file is recorded as ``rejected``/``unreadable`` and moved to
  ``rejected/``, a file that vanishes is forgotten, and any other error is logged and the file
  left alone (quarantined: not tried again by this process).
* A name passed over (a link, a hard-linked file, a quarantined file) is remembered with the
  entry it named: its inode, type and change time. When another entry takes the name (the
  link replaced by a real file, a file renamed over it) or the entry changes, it is looked at
  afresh (issue 22); while it stays the same it is neither read nor logged again.
* A file over the size limit is never read whole: only its first 64 KiB are kept, as the HTTP
  intake does, and it is recorded as ``rejected``/``too_large``.
"""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from inbox.dispatch import unit_of_work
from inbox.intake import clean_file_name, receive, receive_oversized, receive_refused
from models import Office
from sbr_parser import ParsedReturn, parse_message

__all__ = ["UNREADABLE", "DropFolder", "DropFolderError", "Taken"]

log = logging.getLogger(__name__)

_TEMPORARY_SUFFIXES = (".part", ".tmp", ".crdownload", "~")
_TARGETS = ("processed", "rejected")
_PREFIX_BYTES = 64 * 1024
#: The reason of a file the watcher could not read (permissions, I/O error).
UNREADABLE = "unreadable"
_OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
_HARD_LINK = "is a regular file with {links} links; a file linked in from elsewhere is not taken"
_OPEN_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


#: What identifies a directory entry: device, inode, file type, change time.
_Entry = tuple[int, int, int, int]


class DropFolderError(Exception):
    """The drop folder cannot be used safely (a target folder is a link or not a folder)."""


@dataclass(frozen=True, slots=True)
class Taken:
    """A file taken into the inbox (``name`` as stored and shown: valid UTF-8)."""

    path: Path
    return_id: int
    moved_to: Path
    name: str


@dataclass(frozen=True, slots=True)
class _Read:
    data: bytes
    oversized_size: int | None = None  # set when only a prefix was kept
    error: str | None = None  # set when the file could not be read


@dataclass
class DropFolder:
    """Polls ``folder`` and takes complete files into ``office``'s inbox."""

    folder: Path
    engine: Engine
    office: Office
    max_bytes: int
    settle_seconds: float = 2.0
    clock: Callable[[], float] = time.monotonic
    _seen: dict[str, tuple[int, int, float]] = field(default_factory=dict)
    # Name -> the entry passed over (None: it could not be examined).
    _passed_over: dict[str, _Entry | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.folder = self.folder.resolve()
        for name in _TARGETS:
            target = self.folder / name
            if target.is_symlink() or (target.exists() and not target.is_dir()):
                msg = f"{target} must be a folder inside {self.folder}, not a link or a file"
                raise DropFolderError(msg)
            target.mkdir(exist_ok=True)

    def poll(self) -> list[Taken]:
        """Take every file that is complete now; returns what was taken."""
        now = self.clock()
        taken: list[Taken] = []
        present: set[str] = set()
        with _opened(self.folder, _OPEN_DIR) as folder_fd:
            # Listed through the folder's descriptor: the folder cannot be swapped mid-poll.
            listed = set(os.listdir(folder_fd))  # noqa: PTH208
            for name in sorted(listed):
                if name in _TARGETS or name.startswith(".") or name.endswith(_TEMPORARY_SUFFIXES):
                    continue
                state = self._regular_file_state(folder_fd, name)
                if state is None:
                    continue
                present.add(name)
                first = self._seen.get(name)
                if first is None or first[:2] != state:
                    self._seen[name] = (*state, now)
                    continue
                if now - first[2] < self.settle_seconds:
                    continue
                del self._seen[name]
                try:
                    item = self._take(folder_fd, name, state)
                except Exception:  # one bad file must not stop the others
                    log.exception("drop folder: %s left in place after an error", _shown(name))
                    self._passed_over[name] = _current_entry(folder_fd, name)
                    continue
                if item is not None:
                    taken.append(item)
        for gone in set(self._seen) - present:
            del self._seen[gone]
        for gone in set(self._passed_over) - listed:
            del self._passed_over[gone]
        return taken

    def waiting(self) -> bool:
        """Whether files are seen but not yet complete."""
        return bool(self._seen)

    def _regular_file_state(self, folder_fd: int, name: str) -> tuple[int, int] | None:
        """(size, mtime) of a regular file to take; None for anything else, and for the entry
        a name had when it was passed over, as long as the name still has it."""
        try:
            info = os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
        except FileNotFoundError:  # vanished between listing and stat
            return None
        except OSError as exc:
            self._pass_over(name, None, f"cannot be examined ({exc.strerror})")
            return None
        entry = _entry(info)
        if name in self._passed_over:
            if self._passed_over[name] == entry:
                return None
            del self._passed_over[name]  # another entry under the name, or this one changed
        if not stat.S_ISREG(info.st_mode):
            what = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a regular file"
            self._pass_over(name, entry, f"is {what}; only regular files are taken")
            return None
        if info.st_nlink > 1:
            self._pass_over(name, entry, _HARD_LINK.format(links=info.st_nlink))
            return None
        return _state(info)

    def _pass_over(self, name: str, entry: _Entry | None, why: str) -> None:
        if name in self._passed_over and self._passed_over[name] == entry:
            return  # said once for this entry
        log.warning("drop folder: skipped %s: %s", _shown(name), why)
        self._passed_over[name] = entry

    def _take(self, folder_fd: int, name: str, settled: tuple[int, int]) -> Taken | None:
        read = self._read(folder_fd, name, settled)
        if read is None:  # changed or vanished: it settles again first
            return None
        # Committed, then sent to be decided (inbox.dispatch), before the file is moved.
        with unit_of_work(self.engine) as session:
            office = session.merge(self.office)
            if read.error is not None:
                row = receive_refused(
                    session,
                    office,
                    b"",
                    name,
                    reason=UNREADABLE,
                    explanation_nl=f"Het bestand kon niet worden gelezen ({read.error}).",
                    explanation_en=f"The file could not be read ({read.error}).",
                    detail={"error": read.error},
                )
            elif read.oversized_size is not None:
                row = receive_oversized(session, office, read.data, read.oversized_size, name)
            else:
                row = receive(session, office, read.data, name)
            return_id = row.id
        readable = (
            read.error is None
            and read.oversized_size is None
            and isinstance(parse_message(read.data, max_bytes=self.max_bytes), ParsedReturn)
        )
        moved_to = self._move(folder_fd, name, "processed" if readable else "rejected", return_id)
        return Taken(self.folder / name, return_id, moved_to, clean_file_name(name) or "?")

    def _read(  # noqa: PLR0911 - each way a file can fail to be read is its own answer
        self, folder_fd: int, name: str, settled: tuple[int, int]
    ) -> _Read | None:
        try:
            fd = os.open(name, _OPEN_FILE, dir_fd=folder_fd)
        except FileNotFoundError:
            return None
        except OSError as exc:  # no permission, a link swapped in (ELOOP), an I/O error
            now = _current_entry(folder_fd, name)
            if exc.errno == getattr(os, "ELOOP", -1) or (now is not None and stat.S_ISLNK(now[2])):
                self._pass_over(name, now, "became a symbolic link")
                return None
            return _Read(b"", error=exc.strerror or type(exc).__name__)
        with os.fdopen(fd, "rb") as handle:
            opened = os.fstat(fd)
            if _state(opened) != settled or not stat.S_ISREG(opened.st_mode):
                return None
            if opened.st_nlink > 1:  # linked after the listing looked
                self._pass_over(name, _entry(opened), _HARD_LINK.format(links=opened.st_nlink))
                return None
            try:
                if settled[0] > self.max_bytes:
                    result = _Read(handle.read(_PREFIX_BYTES), oversized_size=settled[0])
                else:
                    result = _Read(handle.read(self.max_bytes + 1))
            except OSError as exc:
                return _Read(b"", error=exc.strerror or type(exc).__name__)
            # Checked again after reading, right before the commit: a writer still at work
            # (despite the settle time) leaves the file to settle again.
            if _state(os.fstat(fd)) != settled or (
                result.oversized_size is None and len(result.data) != settled[0]
            ):
                log.info("drop folder: %s changed while being read; waiting", _shown(name))
                return None
        return result

    def _move(self, folder_fd: int, name: str, where: str, return_id: int) -> Path:
        try:
            target_fd = os.open(where, _OPEN_DIR, dir_fd=folder_fd)
        except OSError as exc:  # poll() logs it and passes the file over
            msg = f"{where}/ is not a folder inside {self.folder} ({exc.strerror}): not moved"
            raise DropFolderError(msg) from None
        try:
            target = name
            if _exists(target_fd, target):  # the same name delivered before: keep both
                stem, dot, suffix = name.rpartition(".")
                target = f"{stem}.{return_id}.{suffix}" if dot and stem else f"{name}.{return_id}"
            os.rename(name, target, src_dir_fd=folder_fd, dst_dir_fd=target_fd)
        finally:
            os.close(target_fd)
        return self.folder / where / target


@contextmanager
def _opened(path: Path, flags: int) -> Iterator[int]:
    fd = os.open(path, flags)
    try:
        yield fd
    finally:
        os.close(fd)


def _state(info: os.stat_result) -> tuple[int, int]:
    return info.st_size, info.st_mtime_ns


def _exists(folder_fd: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def _current_entry(folder_fd: int, name: str) -> _Entry | None:
    """The entry ``name`` has now (None when it cannot be examined)."""
    try:
        return _entry(os.stat(name, dir_fd=folder_fd, follow_symlinks=False))
    except OSError:
        return None


def _entry(info: os.stat_result) -> _Entry:
    # The change time tells a new file from an old one whose freed inode number it was given
    # (file systems reuse them), and a quarantined file that was written to since.
    return info.st_dev, info.st_ino, stat.S_IFMT(info.st_mode), info.st_ctime_ns


def _shown(name: str) -> str:
    """A file name safe to log (no surrogates, no control characters)."""
    return repr(clean_file_name(name))
