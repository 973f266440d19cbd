"""The parser's entry points: bytes (or a file) in, a ParsedReturn or a Rejection out.

``parse_message`` never raises for any input: every failure becomes a :class:`Rejection` with a
reason code and a sentence. That promise is what lets a worker call it on anything that arrives.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from sbr_parser.errors import NotAReturnError, SbrParseError, UnsupportedKindError
from sbr_parser.identifiers import check_identifier
from sbr_parser.limits import check_values, fits_identifier, fits_taxonomy
from sbr_parser.loonaangifte import LOONAANGIFTE_NAMESPACE_PREFIX, read_loonaangifte
from sbr_parser.types import (
    IdentifierType,
    ParsedReturn,
    ParseResult,
    Rejection,
    RejectionReason,
    ReturnKind,
    Taxonomy,
)
from sbr_parser.xbrl import XBRLI, read_xbrl
from sbr_parser.xml_safety import DEFAULT_MAX_MESSAGE_BYTES, check_size, parse_xml

__all__ = ["parse_file", "parse_message"]

log = logging.getLogger(__name__)
_BELASTINGDIENST_NAMESPACE_PREFIX = "http://xml.belastingdienst.nl/schemas/"
_READ_CHUNK = 1024 * 1024


def parse_message(
    data: bytes,
    *,
    filename: str | None = None,
    max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
) -> ParseResult:
    """Parse one message. ``filename`` is carried along for messages only, never interpreted.

    >>> parse_message(b"").reason
    <RejectionReason.EMPTY: 'empty'>
    """
    sha256 = hashlib.sha256(data).hexdigest()
    return _parse(data, sha256=sha256, size=len(data), filename=filename, max_bytes=max_bytes)


def parse_file(path: Path, *, max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> ParseResult:
    """Parse the file at ``path``, reading at most ``max_bytes`` of it into memory.

    A file over the limit is hashed in chunks (so its sha256 is still recorded) but never held
    whole in memory nor parsed. A file that cannot be read raises :class:`OSError`.
    """
    # A plain file descriptor, not a buffered file object: for a return of a few KB, making,
    # buffering and closing a Python file object costs about as much as the read itself
    # (bench/cli_parse.py), and nothing here uses the buffer.
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        data, sha256, size = _read_within(descriptor, max_bytes)
    finally:
        os.close(descriptor)
    return _parse(data, sha256=sha256, size=size, filename=str(path), max_bytes=max_bytes)


def _read_within(descriptor: int, max_bytes: int) -> tuple[bytes, str, int]:
    """The file's bytes (empty when over ``max_bytes``), their sha256 and the file's size.

    Memory stays at one chunk plus the limit, even for a file that grows while it is read.
    """
    expected = os.fstat(descriptor).st_size
    keep = expected <= max_bytes
    if keep:
        # The usual case, in one read: the whole file, and one byte more to see whether it grew
        # meanwhile (still being written; then the loop below reads on, within the limit).
        first = _read_exactly(descriptor, expected + 1)
        if len(first) <= expected:
            return first, hashlib.sha256(first).hexdigest(), len(first)
    else:
        first = b""
    # A file known to be over the limit is only hashed; one that grows past it while we read
    # drops what was kept.
    digest = hashlib.sha256(first)
    size = len(first)
    kept = bytearray(first if size <= max_bytes else b"")
    while chunk := os.read(descriptor, _READ_CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if keep and size <= max_bytes:
            kept += chunk
        elif kept:
            kept = bytearray()
    return (bytes(kept) if size <= max_bytes else b""), digest.hexdigest(), size


def _read_exactly(descriptor: int, count: int) -> bytes:
    """``count`` bytes, or fewer at the end of the file (one ``os.read`` may return less)."""
    chunks: list[bytes] = []
    while count > 0 and (chunk := os.read(descriptor, count)):
        chunks.append(chunk)
        count -= len(chunk)
    return b"".join(chunks)


def _parse(
    data: bytes, *, sha256: str, size: int, filename: str | None, max_bytes: int
) -> ParseResult:
    try:
        check_size(size, max_bytes)
        return _read(data, sha256=sha256, filename=filename, max_bytes=max_bytes)
    except SbrParseError as exc:
        # What was learnt before the failure is kept for staff, unless it is itself too long to
        # be real (a rejection must be storable whatever the message held).
        return Rejection(
            sha256=sha256,
            size=size,
            reason=exc.reason,
            detail=exc.detail,
            kind=exc.kind,
            identifier=exc.identifier if fits_identifier(exc.identifier) else None,
            identifier_type=exc.identifier_type,
            taxonomy=exc.taxonomy if fits_taxonomy(exc.taxonomy) else None,
            filename=filename,
        )
    except Exception as exc:
        # A bug of ours, not the sender's: logged with its traceback so it can be reported.
        log.exception("internal parser error on %s (sha256 %s)", filename or "a message", sha256)
        return Rejection(
            sha256=sha256,
            size=size,
            reason=RejectionReason.PARSE_ERROR,
            detail=f"internal parser error ({type(exc).__name__}: {exc}); please report it",
            filename=filename,
        )


def _read(data: bytes, *, sha256: str, filename: str | None, max_bytes: int) -> ParsedReturn:
    root = parse_xml(data, max_bytes=max_bytes)
    # Split the Clark tag by hand: etree.QName costs as much as the rest of this dispatch.
    namespace, _, localname = root.tag.rpartition("}")
    namespace = namespace.removeprefix("{")
    if namespace == XBRLI and localname == "xbrl":
        xbrl = read_xbrl(root)
        kind, identifier_type = xbrl.spec.kind, xbrl.spec.identifier_type
        found, taxonomy = xbrl.identifier, xbrl.taxonomy
        start, end, amount = xbrl.period_start, xbrl.period_end, xbrl.amount_due
    elif localname == "Loonaangifte" and namespace.startswith(LOONAANGIFTE_NAMESPACE_PREFIX):
        kind, identifier_type = ReturnKind.LH, IdentifierType.LH
        try:
            payroll = read_loonaangifte(root, namespace)
        except SbrParseError as exc:
            exc.kind, exc.identifier_type = kind, identifier_type
            raise
        found, taxonomy = payroll.identifier, payroll.taxonomy
        start, end, amount = payroll.period_start, payroll.period_end, payroll.amount_due
    elif namespace.startswith(_BELASTINGDIENST_NAMESPACE_PREFIX):
        raise UnsupportedKindError(
            f"A Belastingdienst '{localname}' message ({namespace}) is not a return kind "
            "this inbox handles.",
            taxonomy=Taxonomy(namespace, localname, year=None, generation=None),
        )
    else:
        where = f"{{{namespace}}}{localname}" if namespace else localname
        raise NotAReturnError(
            f"The XML root element is {where}: neither an XBRL instance (xbrli:xbrl) nor a "
            "Belastingdienst Loonaangifte."
        )
    try:
        # Before normalising: the identifier cache must never be keyed by megabytes of text.
        check_values(
            identifier=found,
            taxonomy=taxonomy,
            period_start=start,
            period_end=end,
            amount_due=amount,
        )
    except SbrParseError as exc:
        exc.kind, exc.identifier_type = kind, identifier_type
        exc.identifier, exc.taxonomy = found, taxonomy  # dropped in _parse when too long
        raise
    checked = check_identifier(identifier_type, found)
    return ParsedReturn(
        sha256=sha256,
        size=len(data),
        kind=kind,
        identifier=found,
        identifier_normalised=checked.normalised,
        identifier_type=identifier_type,
        identifier_valid=checked.valid,
        period_start=start,
        period_end=end,
        taxonomy=taxonomy,
        amount_due=amount,
        filename=filename,
    )
