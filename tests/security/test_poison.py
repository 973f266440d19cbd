"""Poison messages (issue 12, items 4, 5 and 24): values no return holds are rejected by the
parser with a reason; anything that still makes processing fail ends ``rejected``/``internal``
after a bounded number of attempts; no cache or tree grows with what an attacker sends."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select

from config import Settings
from crm.importer import import_relations
from crm.offices import get_office
from inbox.intake import receive
from inbox.runner import process_until_idle
from models import InboxReturn, ReturnEvent, ReturnStatus, make_engine, session_scope
from sbr_parser import Rejection, RejectionReason, parse_message
from sbr_parser import message_builder as build
from sbr_parser.identifiers import _cached_check, check_identifier
from sbr_parser.limits import MAX_ELEMENTS
from sbr_parser.types import IdentifierType
from tests.support.factories import jansen_holding
from tests.support.harness import Pipeline, seed_office
from workers.app import make_app

Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
GOOD = build.ob_return("001000044B37", *Q1)

POISON = {
    "identifier of 100 characters": GOOD.replace(b"001000044B37", b"1" * 100),
    "amount of 10^20": build.ob_return("001000044B37", *Q1, amount_due=10**20),
    "schemaRef of 600 characters": build.ob_return(
        "001000044B37",
        *Q1,
        href="http://www.nltaxonomie.nl/" + "x" * 560 + "/bd-rpt-ob-aangifte-2026.xsd",
    ),
    "period in the year 9999": build.ob_return(
        "001000044B37", dt.date(9999, 1, 1), dt.date(9999, 3, 31)
    ),
}


def rejected(data: bytes, max_bytes: int = 10_000_000) -> Rejection:
    result = parse_message(data, max_bytes=max_bytes)
    assert isinstance(result, Rejection), result
    return result


@pytest.mark.parametrize("name", sorted(POISON))
def test_the_parser_rejects_values_no_return_holds(name: str) -> None:
    result = rejected(POISON[name])
    assert result.reason is RejectionReason.OUT_OF_RANGE
    assert result.detail  # a sentence for staff


@pytest.fixture
def engine(own_database_url: str) -> Iterator[Engine]:
    engine = make_engine(own_database_url)
    with session_scope(engine) as session:
        import_relations(
            session,
            {
                "office": "a",
                "relations": [jansen_holding()],
            },
        )
    yield engine
    engine.dispose()


def test_poison_messages_end_rejected_with_a_reason_on_both_backends(engine: Engine) -> None:
    with session_scope(engine) as session:
        office = get_office(session, "a")
        for name, data in POISON.items():
            receive(session, office, data, name)
        receive(session, office, GOOD, "good.xbrl")
    process_until_idle(engine, max_bytes=10_000_000)
    with session_scope(engine) as session:
        rows = {row.file_name: row for row in session.scalars(select(InboxReturn))}
    for name in POISON:
        assert (rows[name].status, rows[name].reason) == (ReturnStatus.REJECTED, "out_of_range")
    assert rows["good.xbrl"].status is ReturnStatus.MATCHED


def test_an_unexpected_error_ends_as_internal_after_max_attempts(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_parse = parse_message

    def parse_failing_on_one(data: bytes, **kwargs: object) -> object:
        if b"262157196B01" in data:  # fault injection: a bug only this message reaches
            raise RuntimeError("a bug of ours")
        return real_parse(data, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("inbox.process.parse_message", parse_failing_on_one)
    with session_scope(engine) as session:
        office = get_office(session, "a")
        poison = receive(session, office, build.ob_return("262157196B01", *Q1), "bug.xbrl").id
        good = receive(session, office, GOOD, "good.xbrl").id
    with caplog.at_level(logging.WARNING, logger="inbox.process"):
        process_until_idle(engine, max_bytes=10_000_000, max_attempts=3)

    with session_scope(engine) as session:
        row = session.get(InboxReturn, poison)
        assert row is not None
        assert (row.status, row.reason, row.attempts) == (ReturnStatus.REJECTED, "internal", 3)
        assert "RuntimeError" in (row.explanation_nl or "")
        events = session.scalars(select(ReturnEvent).where(ReturnEvent.return_id == poison)).all()
        assert [(e.status, e.detail) for e in events] == [
            (ReturnStatus.REJECTED, {"error": "RuntimeError", "attempts": 3})
        ]
        assert session.get(InboxReturn, good).status is ReturnStatus.MATCHED  # type: ignore[union-attr]
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1  # logged once, at the end, with its traceback
    assert len([r for r in caplog.records if "failed (attempt" in r.getMessage()]) == 2


def test_over_long_identifiers_never_enter_the_cache() -> None:
    before = _cached_check.cache_info().currsize
    huge = "1" * (4 * 1024 * 1024)
    assert rejected(GOOD.replace(b"001000044B37", huge.encode())).reason is (
        RejectionReason.OUT_OF_RANGE
    )
    check_identifier(IdentifierType.OB, huge + "B01")
    assert _cached_check.cache_info().currsize == before
    assert _cached_check.cache_info().maxsize is not None


def test_a_worker_child_is_replaced_past_its_memory_backstop() -> None:
    app = make_app(Settings(worker_max_memory_mb=300))
    assert app.conf.worker_max_memory_per_child == 300 * 1024  # KiB, as Celery counts


def test_a_message_of_millions_of_tiny_elements_is_refused_unparsed() -> None:
    count = MAX_ELEMENTS + 1000
    data = b"<a>" + b"<b>1</b>" * count + b"</a>"
    result = rejected(data, max_bytes=50_000_000)
    assert result.reason is RejectionReason.TOO_LARGE
    assert re.search(r"more than 500,000 XML elements", result.detail)
    assert rejected(b"<a>" + b"<b>1</b>" * (MAX_ELEMENTS - 10) + b"</a>").reason is (
        RejectionReason.NOT_A_RETURN
    )


POISON_TRIGGER = """
CREATE FUNCTION refuse_one_decision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.identifier = '{number}' AND NEW.status::text <> 'rejected' THEN
        RAISE EXCEPTION 'a failure only this return meets';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER refuse_one_decision BEFORE UPDATE ON inbox_return
    FOR EACH ROW EXECUTE FUNCTION refuse_one_decision();
"""


def test_a_real_worker_gives_a_poison_return_up_after_max_attempts(pipeline: Pipeline) -> None:
    numbers = seed_office(pipeline.engine, "demo", 3)
    with pipeline.engine.begin() as connection:
        # A real failure inside the database, not a mock: every decision of this one return
        # is refused, as a column overflow or a bug would refuse it.
        connection.exec_driver_sql(POISON_TRIGGER.format(number=numbers[1]))
    pipeline.env["SBR_INBOX_MAX_ATTEMPTS"] = "2"
    pipeline.start_worker()
    ids = pipeline.deliver("demo", [build.ob_return(number, *Q1) for number in numbers])
    pipeline.wait_until_settled(60)

    with session_scope(pipeline.engine) as session:
        rows = [session.get(InboxReturn, return_id) for return_id in ids]
    states = [(row.status, row.reason, row.attempts) for row in rows if row is not None]
    assert states == [
        (ReturnStatus.MATCHED, None, 0),
        (ReturnStatus.REJECTED, "internal", 2),
        (ReturnStatus.MATCHED, None, 0),
    ]
    log = (pipeline.work_dir / "worker.log").read_text()
    assert log.count("rejected as internal") == 1
