"""Work to hand on once a transaction commits, recorded on the session by the service function
that makes it (the unit of work, :mod:`inbox.dispatch`, sends it after the commit).

Service functions never enqueue anything themselves: a task sent before its data is committed
could run before the data exists, and one sent for data that is then rolled back would act on
nothing. They note what must happen; the boundary's unit of work sends it after a successful
commit, to Celery or to the embedded runner. A session that is rolled back, or that no unit of
work owns (a test's), simply drops the note.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

__all__ = [
    "Pending",
    "after_commit_effects",
    "after_commit_process",
    "after_commit_redecide",
    "take_pending",
]

_KEY = "sbr_inbox_after_commit"


@dataclass
class Pending:
    """What a committed transaction asks for."""

    process: list[int] = field(default_factory=list)  # received returns to decide
    effects: list[int] = field(default_factory=list)  # matched returns whose effects to run
    redecide: bool = False  # client records changed: waiting returns may now be placed

    def __bool__(self) -> bool:
        return bool(self.process or self.effects or self.redecide)


def pending(session: Session) -> Pending:
    """The session's note (made on first use)."""
    found = session.info.get(_KEY)
    if not isinstance(found, Pending):
        found = session.info[_KEY] = Pending()
    return found


def take_pending(session: Session) -> Pending:
    """The note, removed from the session (so it is sent once)."""
    found = session.info.pop(_KEY, None)
    return found if isinstance(found, Pending) else Pending()


def after_commit_process(session: Session, return_id: int) -> None:
    """Decide this stored return once it is committed."""
    pending(session).process.append(return_id)


def after_commit_effects(session: Session, return_id: int) -> None:
    """Run this placed return's effects once its decision is committed."""
    note = pending(session)
    if return_id not in note.effects:
        note.effects.append(return_id)


def after_commit_redecide(session: Session) -> None:
    """Decide waiting returns again once these client-record changes are committed."""
    pending(session).redecide = True
