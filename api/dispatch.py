"""After a commit, hand new work to the workers, or to nobody in embedded mode.

With a broker the ids go to Celery right away; if the broker is unreachable the work is not
lost (it is committed as ``received``) and the sweeper sends it later. Without a broker the
embedded worker (``sbr-inbox process``) picks it up.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine

from config import get_settings

__all__ = ["dispatch_effects", "dispatch_redecide", "dispatch_returns"]

log = logging.getLogger(__name__)


def dispatch_returns(return_ids: list[int]) -> bool:
    """Enqueue ``process_return`` for committed returns; False if left to the sweeper/embedded."""
    if get_settings().broker_url is None or not return_ids:
        return False
    from workers.tasks import enqueue_returns  # noqa: PLC0415 - only with a broker

    try:
        enqueue_returns(return_ids)
    except Exception:  # the sweeper re-sends received returns; never fail the intake for it
        log.exception("could not enqueue %d return(s); the sweeper will", len(return_ids))
        return False
    return True


def dispatch_effects(engine: Engine, return_ids: list[int]) -> None:
    """After a staff decision commits: send its effects (broker) or run them now (embedded)."""
    if not return_ids:
        return
    if get_settings().broker_url is None:
        from inbox.runner import run_pending_effects  # noqa: PLC0415

        run_pending_effects(engine)
        return
    from workers.tasks import send_effects  # noqa: PLC0415

    try:
        for return_id in return_ids:
            send_effects(return_id)
    except Exception:  # the sweeper re-sends effects not done in time
        log.exception("could not send effects; the sweeper will")


def dispatch_redecide(engine: Engine) -> int:
    """After a relation change commits: re-decide waiting returns (embedded: now)."""
    if get_settings().broker_url is None:
        from inbox.runner import redecide_until_idle, run_pending_effects  # noqa: PLC0415

        _events, changed = redecide_until_idle(engine)
        run_pending_effects(engine)
        return changed
    from workers.tasks import redecide_task  # noqa: PLC0415

    try:
        redecide_task.apply_async(queue="inbox")
    except Exception:  # the sweeper starts redecide when change events wait
        log.exception("could not enqueue redecide; the sweeper will")
    return 0
