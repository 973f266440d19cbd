"""Property tests: no input makes the parser raise or take unbounded time.

Each case has a hypothesis deadline, so a slow case fails the test; a raised exception fails it;
and the catch-all "internal parser error" rejection fails it too, so a bug cannot hide behind the
parser's never-raise promise.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sbr_parser import ParsedReturn, Rejection, parse_message
from sbr_parser import message_builder as build
from tests.conftest import SAMPLES_DIR

GENERATED = [
    build.ob_return("001000044B37", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    build.icp_return("001000044B37", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    build.ib_return("111222333", 2025, company_start=dt.date(2025, 6, 1)),
    build.vpb_return("001000044", dt.date(2024, 7, 1), dt.date(2025, 6, 30)),
    build.loonaangifte(
        "111222333L01", dt.date(2026, 6, 1), dt.date(2026, 6, 30), encoding="ISO-8859-1"
    ),
]
SAMPLES = sorted(
    p.read_bytes() for p in SAMPLES_DIR.rglob("*") if p.is_file() and p.suffix != ".md"
)
MESSAGES = GENERATED + SAMPLES

SETTINGS = settings(
    max_examples=150,
    deadline=dt.timedelta(milliseconds=500),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _assert_well_behaved(data: bytes) -> None:
    result = parse_message(data)
    assert isinstance(result, ParsedReturn | Rejection)
    if isinstance(result, Rejection):
        assert result.detail
        assert not result.detail.startswith("internal parser error"), result.detail
    else:
        assert result.period_start <= result.period_end
        assert result.identifier


@SETTINGS
@given(st.binary(max_size=4096))
def test_random_bytes(data: bytes) -> None:
    _assert_well_behaved(data)


@SETTINGS
@given(st.sampled_from(MESSAGES), st.data())
def test_truncated_messages(message: bytes, data: st.DataObject) -> None:
    _assert_well_behaved(message[: data.draw(st.integers(0, len(message)))])


@SETTINGS
@given(st.sampled_from(MESSAGES), st.data())
def test_byte_flips(message: bytes, data: st.DataObject) -> None:
    mutated = bytearray(message)
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(mutated) - 1))
        mutated[position] = data.draw(st.integers(0, 255))
    _assert_well_behaved(bytes(mutated))


@SETTINGS
@given(st.sampled_from(MESSAGES), st.data())
def test_spliced_fragments(message: bytes, data: st.DataObject) -> None:
    # Insert plausible XML fragments: elements, entity refs, CDATA, a DOCTYPE, odd encodings.
    fragment = data.draw(
        st.sampled_from(
            [
                b"<xbrli:context id='Msg'/>",
                b"&lol;",
                b"<![CDATA[<!DOCTYPE]]>",
                b"<!DOCTYPE x>",
                b"</xbrli:xbrl>",
                b"\x00",
                b"\xff\xfe",
                b"<LhNr>999999999L99</LhNr>",
                b"<xbrli:startDate>9999-99-99</xbrli:startDate>",
            ]
        )
    )
    position = data.draw(st.integers(0, len(message)))
    _assert_well_behaved(message[:position] + fragment + message[position:])


@SETTINGS
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=64))
def test_any_identifier_text_is_data_not_a_crash(identifier: str) -> None:
    data = build.ob_return(identifier, dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    _assert_well_behaved(data)
