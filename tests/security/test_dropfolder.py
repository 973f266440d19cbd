"""Drop folder attacks (issue 12, items 1, 3, 7, 8, 23): links, moved targets, bad names,
unreadable, vanishing, oversized and still-growing files."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

import inbox.dropfolder as dropfolder_module
from crm.offices import ensure_office
from inbox.dropfolder import UNREADABLE, DropFolder, DropFolderError
from models import InboxReturn, Office, RawMessage, ReturnStatus, make_engine, session_scope
from models.migrate import upgrade
from sbr_parser import message_builder as build

Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'inbox.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def office(engine: Engine) -> Office:
    with session_scope(engine) as session:
        return ensure_office(session, "demo")


def watcher(folder: Path, engine: Engine, office: Office, clock: Clock) -> DropFolder:
    return DropFolder(folder, engine, office, 10_000_000, settle_seconds=1, clock=clock)


def settle(drop: DropFolder, clock: Clock) -> list[dropfolder_module.Taken]:
    """Two polls a settle time apart: every complete file is taken."""
    drop.poll()
    clock.now += 2
    return drop.poll()


def stored_bytes(engine: Engine) -> list[bytes]:
    with session_scope(engine) as session:
        return list(session.scalars(select(RawMessage.data)))


def test_a_symlink_to_a_secret_is_never_read(
    engine: Engine, office: Office, tmp_path: Path
) -> None:
    secret = tmp_path / "environ"
    secret.write_bytes(b"SBR_INBOX_SECRET_KEY=the-key-of-the-watcher")
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "aangifte.xbrl").symlink_to(secret)
    (folder / "echt.xbrl").write_bytes(build.ob_return("001000044B37", *Q1))
    clock = Clock()

    taken = settle(watcher(folder, engine, office, clock), clock)

    assert [item.name for item in taken] == ["echt.xbrl"]
    assert all(b"the-key" not in data for data in stored_bytes(engine))
    assert (folder / "aangifte.xbrl").is_symlink()  # left where it was, not followed or moved


def _drop_and_elsewhere(tmp_path: Path) -> tuple[Path, Path]:
    """The drop folder, and a folder outside it an attacker would like files moved to."""
    folder, elsewhere = tmp_path / "drop", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    return folder, elsewhere


def test_a_target_folder_that_is_a_link_is_refused(
    engine: Engine, office: Office, tmp_path: Path
) -> None:
    folder, elsewhere = _drop_and_elsewhere(tmp_path)
    (folder / "rejected").symlink_to(elsewhere)
    with pytest.raises(DropFolderError, match="not a link"):
        watcher(folder, engine, office, Clock())


def test_a_target_swapped_for_a_link_later_receives_nothing(
    engine: Engine, office: Office, tmp_path: Path
) -> None:
    folder, elsewhere = _drop_and_elsewhere(tmp_path)
    clock = Clock()
    drop = watcher(folder, engine, office, clock)
    (folder / "rejected").rmdir()
    (folder / "rejected").symlink_to(elsewhere)
    (folder / "junk.xml").write_bytes(b"not xml at all")
    (folder / "echt.xbrl").write_bytes(build.ob_return("001000044B37", *Q1))

    taken = settle(drop, clock)

    assert list(elsewhere.iterdir()) == []
    assert [item.name for item in taken] == ["echt.xbrl"]  # the others keep working
    assert (folder / "junk.xml").exists()  # stored (below) but not moved through the link
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(InboxReturn)) == 2


def test_a_bad_name_an_unreadable_and_a_vanished_file_do_not_stop_the_watcher(
    engine: Engine, office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    bad_name = os.fsdecode(b"aangifte-\xff\xfe.xbrl")
    (folder / bad_name).write_bytes(build.ob_return("001000044B37", *Q1))
    (folder / "geheim.xbrl").write_bytes(b"<x/>")
    (folder / "zz-echt.xbrl").write_bytes(build.ob_return("262157196B01", *Q1))
    real_open, real_listdir = os.open, os.listdir

    def open_refusing(path: str, flags: int, *args: object, **kwargs: object) -> int:
        # The tests run as root, who may read anything: refuse as a file system would.
        if path == "geheim.xbrl":
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    def listdir_with_ghost(path: object) -> list[str]:
        return [*real_listdir(path), "weg.xbrl"]  # type: ignore[call-overload]

    monkeypatch.setattr(os, "open", open_refusing)
    monkeypatch.setattr(os, "listdir", listdir_with_ghost)
    clock = Clock()

    taken = settle(watcher(folder, engine, office, clock), clock)

    assert sorted(item.name for item in taken) == [
        "aangifte-??.xbrl",
        "geheim.xbrl",
        "zz-echt.xbrl",
    ]
    with session_scope(engine) as session:
        rows = {r.file_name: r for r in session.scalars(select(InboxReturn))}
    assert rows["geheim.xbrl"].status is ReturnStatus.REJECTED
    assert rows["geheim.xbrl"].reason == UNREADABLE
    assert "aangifte-??.xbrl" in rows
    assert (folder / "rejected" / "geheim.xbrl").exists()  # quarantined: not read again


def test_an_oversized_file_is_kept_as_a_prefix_only(
    engine: Engine, office: Office, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    huge = folder / "groot.xbrl"
    with huge.open("wb") as handle:  # sparse: 300 MB of size, no 300 MB of disk
        handle.write(b"<xbrl>")
        handle.truncate(300 * 1024 * 1024)
    clock = Clock()

    taken = settle(watcher(folder, engine, office, clock), clock)

    assert [item.moved_to.parent.name for item in taken] == ["rejected"]
    with session_scope(engine) as session:
        row = session.scalars(select(InboxReturn)).one()
        assert (row.status, row.reason) == (ReturnStatus.REJECTED, "too_large")
        kept = session.scalars(select(RawMessage.data)).one()
    assert len(kept) <= 64 * 1024
    assert "314,572,800 bytes" in (row.explanation_en or "")


def test_a_file_that_grows_after_settling_is_not_taken_half(
    engine: Engine, office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    message = build.ob_return("001000044B37", *Q1)
    path = folder / "traag.xbrl"
    path.write_bytes(message[:100])
    clock = Clock()
    drop = watcher(folder, engine, office, clock)
    drop.poll()
    clock.now += 2
    settled = (path.stat().st_size, path.stat().st_mtime_ns)
    # The writer goes on right after the listing saw the old size: the take must notice.
    with path.open("ab") as handle:
        handle.write(message[100:])
    monkeypatch.setattr(DropFolder, "_regular_file_state", lambda *_: settled)

    assert drop.poll() == []
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(InboxReturn)) == 0
    monkeypatch.undo()
    taken = settle(drop, clock)
    assert [item.moved_to.parent.name for item in taken] == ["processed"]
    assert stored_bytes(engine) == [message]


def test_a_hard_link_to_a_file_outside_is_never_read(
    engine: Engine, office: Office, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Issue 22, item 13: a hard link is the secret file itself under a second name; O_NOFOLLOW
    # does not see it, the link count does.
    secret = tmp_path / "environ"
    secret.write_bytes(b"SBR_INBOX_SECRET_KEY=the-key-of-the-watcher")
    folder = tmp_path / "drop"
    folder.mkdir()
    os.link(secret, folder / "aangifte.xbrl")
    (folder / "echt.xbrl").write_bytes(build.ob_return("001000044B37", *Q1))
    clock = Clock()
    drop = watcher(folder, engine, office, clock)

    taken = settle(drop, clock)
    clock.now += 2
    taken += drop.poll()

    assert [item.name for item in taken] == ["echt.xbrl"]
    assert all(b"the-key" not in data for data in stored_bytes(engine))
    assert (folder / "aangifte.xbrl").exists()  # left where it was, not moved
    skipped = [r.getMessage() for r in caplog.records if "aangifte.xbrl" in r.getMessage()]
    assert len(skipped) == 1  # one line, not one per poll
    assert "2 links" in skipped[0]


def test_a_hard_link_made_after_the_listing_is_caught_on_the_open_file(
    engine: Engine, office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    path = folder / "aangifte.xbrl"
    path.write_bytes(build.ob_return("001000044B37", *Q1))
    clock = Clock()
    drop = watcher(folder, engine, office, clock)
    drop.poll()
    clock.now += 2
    settled = (path.stat().st_size, path.stat().st_mtime_ns)
    # Linked right after the listing saw one link: the descriptor's count must be read.
    os.link(path, tmp_path / "elders.xbrl")
    monkeypatch.setattr(DropFolder, "_regular_file_state", lambda *_: settled)

    assert drop.poll() == []
    assert stored_bytes(engine) == []
    assert path.exists()


def test_a_name_passed_over_is_taken_once_its_entry_is_replaced(
    engine: Engine, office: Office, tmp_path: Path
) -> None:
    # Issue 22, item 14: a symbolic link passed over, then replaced by a real file of the
    # same name, is taken (it is another entry now).
    elsewhere = tmp_path / "elders.xbrl"
    elsewhere.write_bytes(b"<x/>")
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "aangifte.xbrl").symlink_to(elsewhere)
    clock = Clock()
    drop = watcher(folder, engine, office, clock)
    assert settle(drop, clock) == []

    (folder / "aangifte.xbrl").unlink()
    (folder / "aangifte.xbrl").write_bytes(build.ob_return("001000044B37", *Q1))
    taken = settle(drop, clock)

    assert [item.name for item in taken] == ["aangifte.xbrl"]
    assert stored_bytes(engine) == [build.ob_return("001000044B37", *Q1)]


def test_a_file_passed_over_after_an_error_is_taken_again_when_replaced(
    engine: Engine, office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "aangifte.xbrl").write_bytes(b"<x/>")
    clock = Clock()
    drop = watcher(folder, engine, office, clock)
    with monkeypatch.context() as patched:
        patched.setattr(DropFolder, "_take", lambda *_: 1 / 0)
        assert settle(drop, clock) == []
    assert settle(drop, clock) == []  # the same entry: quarantined, not tried again

    replacement = folder / "aangifte.xbrl.part"  # written under a temporary name, renamed
    replacement.write_bytes(build.ob_return("001000044B37", *Q1))
    replacement.rename(folder / "aangifte.xbrl")
    taken = settle(drop, clock)

    assert [item.name for item in taken] == ["aangifte.xbrl"]
