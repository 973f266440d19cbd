"""The unit of work: commit, then hand on what the transaction asked for, once.

Service functions note what must follow their changes (:mod:`models.pending`): a stored return
to decide, a placed return's effects, a re-decide after client records changed. The boundary (a
request, a command, a task) runs its transaction in :func:`unit_of_work`, or commits its own
session with :func:`commit_and_dispatch`; after a successful commit the note goes to this
process's dispatcher, chosen once when the process starts (:func:`install`):

* :class:`EmbeddedDispatcher` (no broker, the default): effects and re-decide run right here;
  stored returns wait for the embedded worker (``sbr-inbox process --until-idle``, the demo).
* ``workers.dispatch.CeleryDispatcher`` (a broker is set): everything is sent to Celery. A send
  that fails is logged, never raised: the work is committed, and the sweeper sends it later.

This is pypi/warehouse's after-commit ``apply_async``, with the choice of runner made once.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from config import Settings, get_settings
from models.pending import Pending, take_pending

__all__ = [
    "Dispatched",
    "Dispatcher",
    "EmbeddedDispatcher",
    "commit_and_dispatch",
    "current",
    "install",
    "install_from_settings",
    "unit_of_work",
]


@dataclass
class Dispatched:
    """What handing on did right away (embedded only): returns decided again, effects run."""

    redecided: int = 0
    effects: int = 0


class Dispatcher(Protocol):
    """Hands on what a committed transaction asked for."""

    def send(self, engine: Engine, pending: Pending) -> Dispatched:
        """Send or run ``pending``; never raises for a broker that is down."""


class EmbeddedDispatcher:
    """No broker: run effects and re-decide in this process, now."""

    def send(self, engine: Engine, pending: Pending) -> Dispatched:
        """Re-decide (placing what the change resolves), then run every effect not done."""
        # Imported here: the runner's own transactions are units of work of this module.
        from inbox.runner import redecide_until_idle, run_pending_effects  # noqa: PLC0415

        done = Dispatched()
        if pending.redecide:
            done.redecided = redecide_until_idle(engine)[1]
        if pending.effects or pending.redecide:
            done.effects = run_pending_effects(engine, max_attempts=get_settings().max_attempts)
        return done


_installed: list[Dispatcher] = []


def install(dispatcher: Dispatcher) -> Dispatcher:
    """Make ``dispatcher`` this process's (at start; tests may install another)."""
    _installed[:] = [dispatcher]
    return dispatcher


def install_from_settings(settings: Settings | None = None) -> Dispatcher:
    """The dispatcher the settings call for: Celery with a broker, else embedded."""
    settings = settings or get_settings()
    if settings.broker_url is None:
        return install(EmbeddedDispatcher())
    # By name: only a process with a broker loads Celery and the task modules.
    celery_dispatch = importlib.import_module("workers.dispatch")
    dispatcher: Dispatcher = celery_dispatch.CeleryDispatcher()
    return install(dispatcher)


def current() -> Dispatcher:
    """This process's dispatcher (chosen from the settings on first use if none was)."""
    return _installed[0] if _installed else install_from_settings()


def commit_and_dispatch(session: Session) -> Dispatched:
    """Commit ``session`` and hand on what it asked for."""
    session.commit()
    pending = take_pending(session)
    if not pending:
        return Dispatched()
    engine = session.get_bind()
    assert isinstance(engine, Engine)  # noqa: S101 - sessions here are bound to engines
    return current().send(engine, pending)


@contextmanager
def unit_of_work(engine: Engine, dispatched: Dispatched | None = None) -> Iterator[Session]:
    """One transaction: commit when the block succeeds, then hand on what it asked for
    (``dispatched`` is filled in); roll back and hand on nothing when it raises."""
    with Session(engine, expire_on_commit=False) as session:
        with session.begin():
            yield session
        pending = take_pending(session)
    if pending:
        done = current().send(engine, pending)
        if dispatched is not None:
            dispatched.redecided += done.redecided
            dispatched.effects += done.effects
