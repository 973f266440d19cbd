"""Every kind of bad input is a Rejection with its own clear reason; the parser never raises."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
import time
import tracemalloc
from pathlib import Path

import pytest

from sbr_parser import (
    DEFAULT_MAX_MESSAGE_BYTES,
    ParsedReturn,
    Rejection,
    RejectionReason,
    ReturnKind,
    parse_file,
    parse_message,
)
from sbr_parser import message_builder as build

R = RejectionReason
OB = build.ob_return("001000044B37", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
LH = build.loonaangifte("111222333L01", dt.date(2026, 6, 1), dt.date(2026, 6, 30))


def _billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return f'<?xml version="1.0"?><!DOCTYPE lolz [{"".join(entities)}]><lolz>&lol9;</lolz>'.encode()


def _quadratic_blowup() -> bytes:
    big = "A" * 50_000
    return (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "{big}">]><x>{"&a;" * 10_000}</x>'
    ).encode()


def _rejection(data: bytes, max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> Rejection:
    result = parse_message(data, max_bytes=max_bytes)
    assert isinstance(result, Rejection), result
    assert not result.detail.startswith("internal parser error"), result.detail
    return result


@pytest.mark.parametrize(
    ("case", "data", "reason", "says"),
    [
        ("empty body", b"", R.EMPTY, "empty"),
        ("white space only", b" \r\n\t ", R.EMPTY, "empty"),
        (
            "XXE (local file)",
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
            R.UNSAFE_XML,
            "DOCTYPE",
        ),
        (
            "XXE (network)",
            b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd"><xbrli:xbrl '
            b'xmlns:xbrli="http://www.xbrl.org/2003/instance"/>',
            R.UNSAFE_XML,
            "DOCTYPE",
        ),
        ("billion laughs", _billion_laughs(), R.UNSAFE_XML, "entit"),
        ("quadratic blowup", _quadratic_blowup(), R.UNSAFE_XML, "entit"),
        ("truncated XBRL", OB[: len(OB) // 2], R.PARSE_ERROR, "not well-formed"),
        ("truncated Loonaangifte", LH[:-40], R.PARSE_ERROR, "not well-formed"),
        ("binary junk", bytes(range(256)) * 4, R.PARSE_ERROR, "not XML"),
        ("a PDF", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", R.PARSE_ERROR, "not XML"),
        ("plain text", b"Dear office, please find attached...", R.PARSE_ERROR, "not XML"),
        ("deep nesting", b"<a>" * 10_000 + b"</a>" * 10_000, R.PARSE_ERROR, "depth"),
        (
            "XML that is not a return",
            b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
            R.NOT_A_RETURN,
            "Invoice",
        ),
        ("HTML page", b"<html><body>Inline XBRL?</body></html>", R.NOT_A_RETURN, "html"),
        (
            "XBRL without schemaRef",
            b'<xbrli:xbrl xmlns:xbrli="http://www.xbrl.org/2003/instance"/>',
            R.NOT_A_RETURN,
            "schemaRef",
        ),
        (
            "XBRL of an unknown Belastingdienst entrypoint",
            build.ob_return(
                "001000044B37",
                dt.date(2025, 1, 1),
                dt.date(2025, 12, 31),
                href="http://www.nltaxonomie.nl/nt20/bd/20251210/entrypoints/bd-rpt-ihz-via-2025.xsd",
            ),
            R.UNSUPPORTED_KIND,
            "ihz-via",
        ),
        (
            "XBRL of a KvK entrypoint",
            build.ob_return(
                "001000044B37",
                dt.date(2025, 1, 1),
                dt.date(2025, 12, 31),
                href="https://www.nltaxonomie.nl/nt20/kvk/20251210/entrypoints/"
                "kvk-rpt-jaarverantwoording-2025-nlgaap-micro.xsd",
            ),
            R.UNSUPPORTED_KIND,
            "not a Belastingdienst return",
        ),
        (
            "other Belastingdienst message",
            b'<PensioenAangifteResponse xmlns="http://xml.belastingdienst.nl/schemas/PA/2026/01"/>',
            R.UNSUPPORTED_KIND,
            "PensioenAangifteResponse",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 60 else "",
)
def test_bad_input_is_rejected_with_its_reason(
    case: str, data: bytes, reason: RejectionReason, says: str
) -> None:
    result = _rejection(data)
    assert result.reason is reason, (case, result.detail)
    assert says.lower() in result.detail.lower(), result.detail


def test_entity_bombs_are_refused_quickly() -> None:
    for data in (_billion_laughs(), _quadratic_blowup()):
        started = time.perf_counter()
        _rejection(data)
        # Generous bound: the point is "not expanded", which would take minutes and gigabytes.
        assert time.perf_counter() - started < 1.0


def test_doctype_in_utf16_is_still_refused() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY e "v">]><x>&e;</x>'
    result = _rejection(data.encode("utf-16"))
    assert result.reason is R.UNSAFE_XML


def test_too_large_is_refused_before_parsing() -> None:
    # 100 MB of the start of a valid message: if it were parsed it would be a parse_error.
    data = OB[:200] + b" " * (100 * 1024 * 1024)
    result = _rejection(data)
    assert result.reason is R.TOO_LARGE
    assert "limit" in result.detail
    assert result.size == len(data)


def test_size_limit_is_configurable() -> None:
    assert isinstance(parse_message(OB, max_bytes=len(OB)), ParsedReturn)
    assert _rejection(OB, max_bytes=len(OB) - 1).reason is R.TOO_LARGE


def test_huge_file_is_hashed_but_never_held_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.xbrl"
    with path.open("wb") as handle:
        handle.write(OB[:100])
        handle.seek(100 * 1024 * 1024)
        handle.write(b"\n")
    tracemalloc.start()
    try:
        result = parse_file(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(result, Rejection)
    assert result.reason is R.TOO_LARGE
    assert result.size == path.stat().st_size
    assert len(result.sha256) == 64
    assert peak < 8 * 1024 * 1024, f"peak {peak:,} bytes"


def _fifo_with(tmp_path: Path, data: bytes) -> Path:
    """A named pipe a thread fills with ``data``: a file whose size (0) says less than it holds,
    as a file still being written does."""
    path = tmp_path / "growing.xbrl"
    os.mkfifo(path)

    def write() -> None:
        with path.open("wb") as handle:
            handle.write(data)

    threading.Thread(target=write, daemon=True).start()
    return path


def test_a_file_longer_than_its_size_said_is_read_whole(tmp_path: Path) -> None:
    result = parse_file(_fifo_with(tmp_path, OB))
    assert isinstance(result, ParsedReturn)
    assert (result.identifier, result.size) == ("001000044B37", len(OB))
    assert result.sha256 == hashlib.sha256(OB).hexdigest()


def test_a_file_that_grows_past_the_limit_is_refused_with_its_whole_hash(tmp_path: Path) -> None:
    data = OB + b" " * 3 * 1024 * 1024
    result = parse_file(_fifo_with(tmp_path, data), max_bytes=len(OB))
    assert isinstance(result, Rejection)
    assert result.reason is R.TOO_LARGE
    assert (result.size, result.sha256) == (len(data), hashlib.sha256(data).hexdigest())


def _ob(
    identifier: str = "001000044B37", *, scheme: str = "www.belastingdienst.nl/omzetbelastingnummer"
) -> bytes:
    return build.ob_return(identifier, dt.date(2026, 1, 1), dt.date(2026, 3, 31), scheme=scheme)


def test_missing_identifier_keeps_what_was_learnt() -> None:
    result = _rejection(_ob(""))
    assert result.reason is R.MISSING_IDENTIFIER
    assert result.kind is ReturnKind.OB
    assert result.taxonomy is not None
    assert result.taxonomy.entrypoint == "bd-rpt-ob-aangifte-2026"


def test_identifier_under_the_wrong_scheme_is_missing() -> None:
    result = _rejection(_ob(scheme="www.belastingdienst.nl/identificatie"))
    assert result.reason is R.MISSING_IDENTIFIER
    assert "omzetbelastingnummer" in result.detail
    assert "identificatie" in result.detail


def test_scheme_with_http_prefix_is_accepted() -> None:
    result = parse_message(_ob(scheme="http://www.belastingdienst.nl/omzetbelastingnummer"))
    assert isinstance(result, ParsedReturn)
    assert result.identifier == "001000044B37"


def _replace(data: bytes, old: bytes, new: bytes) -> bytes:
    assert old in data, old
    return data.replace(old, new)


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        (b"<xbrli:startDate>2026-01-01</xbrli:startDate>", b"", "no period"),
        (b"2026-03-31", b"2026-13-31", "not a pair of dates"),
        (b"<xbrli:endDate>2026-03-31", b"<xbrli:endDate>2025-12-31", "ends"),
    ],
)
def test_bad_xbrl_period_is_missing_period(old: bytes, new: bytes, says: str) -> None:
    result = _rejection(_replace(_ob(), old, new))
    assert result.reason is R.MISSING_PERIOD
    assert says in result.detail
    assert result.identifier == "001000044B37"
    assert result.kind is ReturnKind.OB


def test_instant_only_main_context_is_missing_period() -> None:
    data = _replace(
        build.ob_return("001000044B37", dt.date(2026, 1, 1), dt.date(2026, 3, 31), generation=18),
        b"<xbrli:startDate>2026-01-01</xbrli:startDate><xbrli:endDate>2026-03-31</xbrli:endDate>",
        b"<xbrli:instant>2026-03-31</xbrli:instant>",
    )
    result = _rejection(data)
    assert result.reason is R.MISSING_PERIOD
    assert "instant" in result.detail


def test_two_main_contexts_naming_different_taxpayers_is_refused() -> None:
    data = _replace(
        _ob(),
        b"</xbrli:context>\n",
        b"</xbrli:context>\n"
        b'  <xbrli:context id="Other"><xbrli:entity><xbrli:identifier '
        b'scheme="www.belastingdienst.nl/omzetbelastingnummer">123456782B01</xbrli:identifier>'
        b"</xbrli:entity><xbrli:period><xbrli:startDate>2026-01-01</xbrli:startDate>"
        b"<xbrli:endDate>2026-03-31</xbrli:endDate></xbrli:period></xbrli:context>\n",
    )
    result = _rejection(data)
    assert result.reason is R.MISSING_IDENTIFIER
    assert "001000044B37" in result.detail
    assert "123456782B01" in result.detail


@pytest.mark.parametrize(
    ("old", "new", "reason", "says"),
    [
        (b"<LhNr>111222333L01</LhNr>", b"", R.MISSING_IDENTIFIER, "LhNr"),
        (b"<LhNr>111222333L01</LhNr>", b"<LhNr> </LhNr>", R.MISSING_IDENTIFIER, "LhNr"),
        (b"<DatAanvTv>2026-06-01</DatAanvTv>", b"", R.MISSING_PERIOD, "no period"),
        (
            b"<DatEindTv>2026-06-30</DatEindTv>",
            b"<DatEindTv>30-06-2026</DatEindTv>",
            R.MISSING_PERIOD,
            "not a pair",
        ),
    ],
)
def test_bad_loonaangifte(old: bytes, new: bytes, reason: RejectionReason, says: str) -> None:
    result = _rejection(_replace(LH, old, new))
    assert result.reason is reason
    assert says in result.detail
    assert result.kind is ReturnKind.LH


def test_loonaangifte_with_two_different_employers_is_refused() -> None:
    unit_start = LH.index(b"<AdministratieveEenheid>")
    unit_end = LH.index(b"</AdministratieveEenheid>") + len(b"</AdministratieveEenheid>")
    second = LH[unit_start:unit_end].replace(b"111222333L01", b"111222333L02")
    result = _rejection(LH[:unit_end] + second + LH[unit_end:])
    assert result.reason is R.MISSING_IDENTIFIER
    assert "111222333L02" in result.detail


def test_unreadable_encoding_declaration_is_a_parse_error() -> None:
    data = b'<?xml version="1.0" encoding="no-such-encoding"?><x/>'
    assert _rejection(data).reason is R.PARSE_ERROR
