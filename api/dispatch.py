"""After a commit, hand new work to the workers, or to nobody in embedded mode.

With a broker the ids go to Celery right away; if the broker is unreachable the work is not
lost (it is committed as ``received``) and the sweeper sends it later. Without a broker the
embedded worker (``sbr-inbox process``) picks it up.
"""

from __future__ import annotations

import logging

from config import get_settings

__all__ = ["dispatch_returns"]

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
