"""Receiving a message: its bytes stored once per office, and a ``received`` return row.

Stored *before* anything reads it, so a message that crashes the parser, or arrives while the
workers are down, is still there to process. Same bytes again -> the same ``raw_message`` row
and a new return (which processing marks as the duplicate it is).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inbox.decisions import SYSTEM, record_event, set_state
from models import InboxReturn, Office, RawMessage, ReturnStatus
from sbr_parser import RejectionReason

__all__ = ["receive", "receive_oversized"]


def receive(session: Session, office: Office, data: bytes, file_name: str | None) -> InboxReturn:
    """Store ``data`` for ``office`` and return its new ``received`` return (flushed, with id)."""
    sha256 = hashlib.sha256(data).hexdigest()
    message_id = _message_id(session, office.id, sha256, data)
    row = InboxReturn(
        office_id=office.id,
        message_id=message_id,
        sha256=sha256,
        file_name=file_name,
        status=ReturnStatus.RECEIVED,
    )
    session.add(row)
    session.flush()
    return row


def _message_id(session: Session, office_id: int, sha256: str, data: bytes) -> int:
    def existing() -> int | None:
        return session.scalar(
            select(RawMessage.id).where(
                RawMessage.office_id == office_id, RawMessage.sha256 == sha256
            )
        )

    found = existing()
    if found is not None:
        return found
    try:
        # A savepoint: another intake may store the same bytes at the same moment.
        with session.begin_nested():
            message = RawMessage(office_id=office_id, sha256=sha256, size=len(data), data=data)
            session.add(message)
        return message.id
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return found


def receive_oversized(
    session: Session, office: Office, prefix: bytes, size: int | None, file_name: str | None
) -> InboxReturn:
    """Record a delivery refused as too large, keeping only the ``prefix`` that was read.

    The body is not read past the limit (that is the point of the limit), but the delivery is
    not dropped either: staff see a ``rejected``/``too_large`` return with what arrived.
    """
    row = receive(session, office, prefix, file_name)
    told = f"{size:,} bytes" if size is not None else "more than the limit"
    set_state(
        row,
        ReturnStatus.REJECTED,
        RejectionReason.TOO_LARGE.value,
        f"Het bericht is te groot om te verwerken ({told}); alleen het begin is bewaard.",
        f"The message is too large to process ({told}); only its start was kept.",
    )
    record_event(session, row, actor=SYSTEM, trigger="received", detail={"declared_size": size})
    return row
