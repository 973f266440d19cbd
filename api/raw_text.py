"""A delivered message as text for the page: pretty-printed when it is safe XML, else decoded.

The page shows it inside ``<pre>`` through Jinja's autoescaping, so whatever the message holds
(a ``<script>``, an SVG) is only ever text on the page. The original bytes are a download.
"""

from __future__ import annotations

from lxml import etree

from sbr_parser.errors import SbrParseError
from sbr_parser.xml_safety import parse_xml

__all__ = ["SHOWN_BYTES", "readable_message"]

#: More than this is cut on the page (the download has everything).
SHOWN_BYTES = 256 * 1024


def readable_message(data: bytes) -> str:
    """``data`` as text for a person: indented XML, or the bytes decoded as UTF-8."""
    cut = len(data) > SHOWN_BYTES
    if not cut:
        try:
            root = parse_xml(data)
        except SbrParseError:
            pass
        else:
            return etree.tostring(root, pretty_print=True, encoding="unicode")
    text = data[:SHOWN_BYTES].decode("utf-8", "replace")
    if cut:
        text += f"\n... ({len(data) - SHOWN_BYTES:,} bytes more: download the original)"
    return text
