"""Receiving a message: its bytes stored once per office, and a ``received`` return row.

Stored *before* anything reads it, so a message that crashes the parser, or arrives while the
workers are down, is still there to process. Same bytes again -> the same ``raw_message`` row
and a new return (which processing marks as the duplicate it is).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from inbox.decisions import SYSTEM, record_event, set_state
from models import InboxReturn, Office, RawMessage, ReturnStatus
from models.db import insert_missing
from models.pending import after_commit_process
from sbr_parser import RejectionReason

__all__ = ["MAX_FILE_NAME", "clean_file_name", "receive", "receive_oversized", "receive_refused"]

#: The stored file name's length (the column); a longer name is cut, never refused.
MAX_FILE_NAME = 500
_CONTROL = dict.fromkeys(range(32), "?") | {127: "?"}


def clean_file_name(name: str | None) -> str | None:
    """A sender's file name as it can be stored and shown: valid UTF-8, no control characters,
    at most :data:`MAX_FILE_NAME` characters. A bad name never costs the delivery.

    >>> clean_file_name("a\x00b.xbrl")
    'a?b.xbrl'
    """
    if name is None:
        return None
    # A file system name that is not UTF-8 arrives with surrogate escapes: show its bytes as '?'.
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text.translate(_CONTROL).replace("\ufffd", "?")[:MAX_FILE_NAME] or None


def receive(session: Session, office: Office, data: bytes, file_name: str | None) -> InboxReturn:
    """Store ``data`` for ``office`` and return its new ``received`` return (flushed, with id);
    it is sent to be decided once the transaction commits."""
    row = _store(session, office, data, file_name)
    after_commit_process(session, row.id)
    return row


def _store(session: Session, office: Office, data: bytes, file_name: str | None) -> InboxReturn:
    sha256 = hashlib.sha256(data).hexdigest()
    message_id = _message_id(session, office.id, sha256, data)
    row = InboxReturn(
        office_id=office.id,
        message_id=message_id,
        sha256=sha256,
        file_name=clean_file_name(file_name),
        status=ReturnStatus.RECEIVED,
    )
    session.add(row)
    session.flush()
    return row


def _message_id(session: Session, office_id: int, sha256: str, data: bytes) -> int:
    """The id of the office's stored copy of these bytes, stored now if new: one INSERT ...
    ON CONFLICT DO NOTHING (another intake may store the same bytes at the same moment), and
    a SELECT only when they were there already."""
    made = session.scalar(
        insert_missing(session, RawMessage, ("office_id", "sha256")),
        {"office_id": office_id, "sha256": sha256, "size": len(data), "data": data},
    )
    if made is not None:
        return int(made)
    found: int = session.scalars(
        select(RawMessage.id).where(RawMessage.office_id == office_id, RawMessage.sha256 == sha256)
    ).one()
    return found


def receive_oversized(
    session: Session, office: Office, prefix: bytes, size: int | None, file_name: str | None
) -> InboxReturn:
    """Record a delivery refused as too large, keeping only the ``prefix`` that was read.

    The body is not read past the limit (that is the point of the limit), but the delivery is
    not dropped either: staff see a ``rejected``/``too_large`` return with what arrived.
    """
    told = f"{size:,} bytes" if size is not None else "more than the limit"
    return receive_refused(
        session,
        office,
        prefix,
        file_name,
        reason=RejectionReason.TOO_LARGE.value,
        explanation_nl=f"Het bericht is te groot om te verwerken ({told}); alleen het begin is "
        "bewaard.",
        explanation_en=f"The message is too large to process ({told}); only its start was kept.",
        detail={"declared_size": size},
    )


def receive_refused(
    session: Session,
    office: Office,
    kept: bytes,
    file_name: str | None,
    *,
    reason: str,
    explanation_nl: str,
    explanation_en: str,
    detail: dict[str, object],
) -> InboxReturn:
    """Record a delivery that is rejected before it could be read whole, with what was kept."""
    row = _store(session, office, kept, file_name)  # already decided: nothing to send
    set_state(row, ReturnStatus.REJECTED, reason, explanation_nl, explanation_en)
    record_event(session, row, actor=SYSTEM, trigger="received", detail=detail)
    return row
