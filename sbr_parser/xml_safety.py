"""Hardened XML parsing: the only place the parser turns bytes into an lxml tree.

SBR messages arrive from outside the office, so every body is hostile until read. The rules:

* The size limit is enforced on the byte count before libxml2 sees anything.
* No DTD is ever loaded, no entity resolved, no network touched (``load_dtd=False``,
  ``resolve_entities=False``, ``no_network=True``), and libxml2's default limits stay on
  (``huge_tree=False``: depth 256, bounded text nodes, entity amplification cap).
* The element count is bounded before parsing (:data:`sbr_parser.limits.MAX_ELEMENTS`): a tree
  costs libxml2 about 160 bytes per element, so the byte limit alone let a 19 MB message of tiny
  elements take 808 MB. Counting ``<`` is a memchr-speed scan of the bytes.
* A DOCTYPE is refused outright. No SBR message (XBRL instance or Loonaangifte) has one, and it is
  the vehicle of every entity attack (XXE, billion laughs, quadratic blowup). We look for it before
  parsing so the attack gets the clear reason ``unsafe_xml`` and costs nothing, and check the parsed
  tree again for encodings the byte scan cannot see (UTF-16).
"""

from __future__ import annotations

import re
import threading

from lxml import etree

from sbr_parser.errors import (
    EmptyMessageError,
    MalformedXmlError,
    MessageTooLargeError,
    UnsafeXmlError,
)
from sbr_parser.limits import MAX_ELEMENTS

__all__ = ["DEFAULT_MAX_MESSAGE_BYTES", "check_size", "parse_xml"]

#: Default size limit (20 MiB). Real returns are kilobytes; the largest IB returns with many
#: specifications stay far below a megabyte.
DEFAULT_MAX_MESSAGE_BYTES = 20 * 1024 * 1024

_PROLOG_SCAN_BYTES = 64 * 1024
_LIBXML_SOURCE_SUFFIX = re.compile(r" \(<string>, line \d+\)$")

# One parser per thread: lxml serialises use of a shared parser with a lock, and making one per
# call costs about as much as parsing a small return.
_local = threading.local()


def _parser() -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            # Whitespace between elements means nothing in SBR messages; not building those
            # text nodes makes parsing a few percent faster.
            remove_blank_text=True,
            collect_ids=False,
            recover=False,
        )
        _local.parser = parser
    return parser


def check_size(size: int, max_bytes: int) -> None:
    """Raise :class:`MessageTooLargeError` when ``size`` is over ``max_bytes``."""
    if size > max_bytes:
        raise MessageTooLargeError(
            f"The message is {size:,} bytes; the limit is {max_bytes:,} bytes. It was not parsed."
        )


def parse_xml(data: bytes, *, max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> etree._Element:
    """Parse ``data`` with the hardened parser and return the root element.

    Raises one of the :mod:`sbr_parser.errors` classes for empty, oversized, malformed or unsafe
    input; never returns a tree that declared a DOCTYPE.
    """
    check_size(len(data), max_bytes)
    if not data or data.isspace():  # isspace stops at the first other byte; strip() would copy
        raise EmptyMessageError("The message is empty.")
    # A DOCTYPE can only stand in the prolog, which in any real message fits in the first 64 KiB;
    # scanning just that keeps the check O(1). Anything later is caught after parsing.
    if data.find(b"<!DOCTYPE", 0, _PROLOG_SCAN_BYTES) >= 0:
        raise UnsafeXmlError(
            "The message declares a DOCTYPE or entities, which SBR messages never do; "
            "it was refused unread (protection against XXE and entity expansion attacks)."
        )
    # Each element has a start and an end tag (or one empty-element tag): two '<' at most.
    if data.count(b"<") > 2 * MAX_ELEMENTS:
        raise MessageTooLargeError(
            f"The message has more than {MAX_ELEMENTS:,} XML elements (about "
            f"{data.count(b'<') // 2:,}); no return has that many. It was not parsed."
        )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        # libxml2 appends " (<string>, line N)" after the position it already gave.
        text = _LIBXML_SOURCE_SUFFIX.sub("", str(exc))
        if "entity" in text.lower() and "amplification" in text.lower():
            raise UnsafeXmlError(
                f"The message tried to expand entities beyond the safe limit: {text}"
            ) from None
        raise MalformedXmlError(_describe_syntax_error(data, text)) from None
    except ValueError as exc:
        # lxml raises ValueError for e.g. a str-declared encoding it cannot use on bytes.
        raise MalformedXmlError(f"The message is not readable XML: {exc}") from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise UnsafeXmlError(
            "The message declares a DOCTYPE, which SBR messages never do; it was refused."
        )
    return root


def _describe_syntax_error(data: bytes, libxml_text: str) -> str:
    """A sentence for staff: is this not XML at all, or broken XML?"""
    head = data.lstrip()[:1]
    if head not in (b"<", b"\xef", b"\xfe", b"\xff"):
        return (
            "The message is not XML (it does not start with '<'); it may be a PDF, a ZIP "
            f"or plain text. Parser said: {libxml_text}"
        )
    return f"The message is not well-formed XML (truncated or damaged?): {libxml_text}"
