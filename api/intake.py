"""``POST /api/offices/{office}/inbox``: a program delivers one message (docs/contracts.md).

The intake key is checked before the body is read; the body is read up to the size limit and
no further (a declared ``Content-Length`` over it is refused without reading). The bytes and a
``received`` row are committed in one transaction, then the id is enqueued: 202 ``{"id"}``.
An oversized delivery is recorded as ``rejected``/``too_large`` (413), never silently dropped.

Each key has a rate and volume quota (inbox.quota): past it a delivery is refused with 429 and
``Retry-After`` before its body is read (its declared ``Content-Length`` is counted then; bytes
that arrive beyond it are counted when stored), and nothing is stored for it.

A body must arrive within ``SBR_INBOX_INTAKE_READ_TIMEOUT_SECONDS`` (408 after that: a sender
trickling one byte a second holds no connection for long), and a sender that hangs up mid-body
is logged in one line, not a traceback. Nothing is stored for either: the sender was told.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Annotated

import anyio
from fastapi import APIRouter, Header, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.requests import ClientDisconnect

from config import get_settings
from inbox.dispatch import unit_of_work
from inbox.intake import receive, receive_oversized
from inbox.keys import intake_key_of
from inbox.quota import IntakeQuota, charge
from models import Office, session_scope

__all__ = ["is_intake_path", "router"]

log = logging.getLogger(__name__)
router = APIRouter(tags=["intake"])
_INTAKE_PATH = re.compile(r"^/api/offices/[^/]+/inbox/?$")
#: What is kept of a delivery too large to take (staff see how it began).
_KEPT_OF_OVERSIZED = 65536


def is_intake_path(path: str) -> bool:
    """Whether ``path`` is the intake (its body limit is the message size limit, not the API's)."""
    return bool(_INTAKE_PATH.match(path))


class Received(BaseModel):
    """The new return's id (and, for a refused delivery, why)."""

    id: int
    status: str = "received"
    reason: str | None = None


@router.post(
    "/api/offices/{office}/inbox",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Received,
    responses={
        401: {"description": "missing or wrong X-Intake-Key for this office"},
        408: {"description": "the body did not arrive within the read timeout"},
        413: {"description": "larger than SBR_INBOX_MAX_MESSAGE_BYTES; recorded as too_large"},
        429: {"description": "past the key's quota; try again after Retry-After seconds"},
    },
)
async def deliver(
    office: str,
    request: Request,
    x_intake_key: Annotated[str | None, Header()] = None,
    x_file_name: Annotated[str | None, Header()] = None,
) -> Received:
    """Store one raw SBR message in the office's inbox; it is processed asynchronously."""
    engine: Engine = request.app.state.engine
    settings = get_settings()
    limit = settings.max_message_bytes
    declared = request.headers.get("content-length")
    declared_size = int(declared) if declared and declared.isdecimal() else None
    quota = IntakeQuota.from_settings(settings)
    # What is counted now: the declared body, or what is kept of one declared too large.
    announced = min(
        declared_size or 0,
        limit if declared_size is None or declared_size <= limit else _KEPT_OF_OVERSIZED,
    )
    target, key_id = await run_in_threadpool(
        _office, engine, office, x_intake_key, quota, announced
    )
    body = b""
    if declared_size is None or declared_size <= limit:
        try:
            with anyio.fail_after(settings.intake_read_timeout_seconds):
                body = await _read_up_to(request, limit)
        except TimeoutError:
            log.info("intake for %s: body not complete in time; answered 408", office)
            raise HTTPException(
                status.HTTP_408_REQUEST_TIMEOUT, detail="the message did not arrive in time"
            ) from None
        except ClientDisconnect:
            log.info("intake for %s: the sender hung up before the body was complete", office)
            raise HTTPException(
                status.HTTP_400_BAD_REQUEST, detail="the sender disconnected"
            ) from None
    if (declared_size is not None and declared_size > limit) or len(body) > limit:
        row_id = await run_in_threadpool(
            _store_oversized,
            engine,
            target,
            body[:_KEPT_OF_OVERSIZED],
            declared_size,
            x_file_name,
            _Charge(key_id, quota, announced),
        )
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            detail={"id": row_id, "status": "rejected", "reason": "too_large"},
        )
    row_id = await run_in_threadpool(
        _store, engine, target, body, x_file_name, _Charge(key_id, quota, announced)
    )
    return Received(id=row_id)


async def _read_up_to(request: Request, limit: int) -> bytes:
    """The body, read until it ends or passes ``limit`` (then one chunk past it at most)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            break
    return b"".join(chunks)


@dataclass(frozen=True, slots=True)
class _Charge:
    """The key a delivery is counted on, and the bytes counted before its body was read."""

    key_id: int
    quota: IntakeQuota
    announced: int

    def rest(self, session: Session, stored: int) -> None:
        """Count the stored bytes not yet counted (a body without, or beyond, its declared
        length), in the transaction that stores them."""
        if stored > self.announced:
            charge(
                session,
                self.key_id,
                self.quota,
                deliveries=0,
                size=stored - self.announced,
                force=True,
            )


def _office(
    engine: Engine, code: str, key: str | None, quota: IntakeQuota, announced: int
) -> tuple[Office, int]:
    """The key's office and id, with this delivery counted on the key's quota (or 429)."""
    with session_scope(engine) as session:
        found = intake_key_of(session, code, key)
        if found is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="invalid intake key")
        wait = charge(session, found[1], quota, deliveries=1, size=announced)
    if wait > 0:
        log.info("intake for %s: key %d past its quota; answered 429", code, found[1])
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail="this intake key has delivered its quota; try again later",
            headers={"Retry-After": str(int(wait))},
        )
    return found


def _store(engine: Engine, office: Office, body: bytes, name: str | None, counted: _Charge) -> int:
    # Committed, then sent to be decided (inbox.dispatch): the 202 means stored.
    with unit_of_work(engine) as session:
        counted.rest(session, len(body))
        return receive(session, session.merge(office), body, name).id


def _store_oversized(
    engine: Engine,
    office: Office,
    prefix: bytes,
    size: int | None,
    name: str | None,
    counted: _Charge,
) -> int:
    with session_scope(engine) as session:
        counted.rest(session, len(prefix))
        return receive_oversized(session, session.merge(office), prefix, size, name).id
