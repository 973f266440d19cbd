"""Poison messages (issue 12, items 4, 5 and 24): values no return holds are rejected by the
parser with a reason; anything that still makes processing fail ends ``rejected``/``internal``
after a bounded number of attempts; no cache or tree grows with what an attacker sends. The
same for effects (issue 22, item 1): a derived name fits its column, and an effect that keeps
failing is parked with its error, never holding up the others."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select

from api.metrics import InboxCollector
from config import Settings
from crm.importer import import_relations
from crm.offices import get_office
from inbox.effect_runs import retry_parked
from inbox.errors import ActionRefusedError
from inbox.intake import receive
from inbox.outbox import claim_stale
from inbox.queries import return_detail
from inbox.runner import process_until_idle
from models import (
    Document,
    InboxReturn,
    OutboxMessage,
    ReturnEvent,
    ReturnStatus,
    make_engine,
    session_scope,
)
from sbr_parser import Rejection, RejectionReason, parse_message
from sbr_parser import message_builder as build
from sbr_parser.identifiers import _cached_check, check_identifier
from sbr_parser.limits import MAX_ELEMENTS
from sbr_parser.types import IdentifierType
from tests.support.factories import jansen_holding
from tests.support.harness import Pipeline, seed_office
from workers.app import make_app
from workers.nudge import nudge

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


# -- effects (issue 22, item 1) ---------------------------------------------------------------

LONG_NAME = "f" * 495 + ".xbrl"  # the intake keeps up to 500 characters of X-File-Name


def _three_returns(engine: Engine, long_name_in_the_middle: bool = True) -> list[int]:
    numbers = seed_office(engine, "demo", 3)
    with session_scope(engine) as session:
        office = get_office(session, "demo")
        return [
            receive(
                session,
                office,
                build.ob_return(number, *Q1),
                LONG_NAME if i == 1 and long_name_in_the_middle else f"{number}.xbrl",
            ).id
            for i, number in enumerate(numbers)
        ]


def test_a_file_name_of_500_characters_is_filed_under_a_name_that_fits(
    own_database_url: str,
) -> None:
    engine = make_engine(own_database_url)
    ids = _three_returns(engine)
    process_until_idle(engine, max_bytes=10_000_000)
    with session_scope(engine) as session:
        rows = [session.get(InboxReturn, return_id) for return_id in ids]
        assert [(r.status, r.filed) for r in rows if r is not None] == [
            (ReturnStatus.MATCHED, True)
        ] * 3
        names = {d.return_id: d.name for d in session.scalars(select(Document))}
        assert session.scalar(select(OutboxMessage.id).where(OutboxMessage.done_at.is_(None))) is (
            None
        )
    long = names[ids[1]]
    assert len(long) == 500
    assert long.startswith("OB 2026-01-01..2026-03-31 v1 (ffff")
    assert long.endswith("\u2026)")  # cut, marked, the parenthesis kept
    engine.dispose()


POISON_EFFECT_TRIGGER = """
CREATE FUNCTION refuse_one_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.return_id = {return_id} THEN
        RAISE EXCEPTION 'a failure only this document meets';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER refuse_one_document BEFORE INSERT OR UPDATE ON document
    FOR EACH ROW EXECUTE FUNCTION refuse_one_document();
"""


@pytest.fixture
def postgres_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated PostgreSQL database of its own (a trigger is PostgreSQL's)."""
    from tests.database import _migrated_database  # noqa: PLC0415

    for url in _migrated_database("postgresql", tmp_path_factory):
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_a_poisoned_effect_is_parked_with_its_error_and_its_batch_completes(
    postgres_engine: Engine,
) -> None:
    engine = postgres_engine
    ids = _three_returns(engine, long_name_in_the_middle=False)
    with engine.begin() as connection:
        # A real failure inside the database, not a mock: filing this one return is refused.
        connection.exec_driver_sql(POISON_EFFECT_TRIGGER.format(return_id=ids[1]))
    process_until_idle(engine, max_bytes=10_000_000, max_attempts=3)

    with session_scope(engine) as session:
        rows = [session.get(InboxReturn, return_id) for return_id in ids]
        assert [(r.status, r.workflow_started, r.filed) for r in rows if r is not None] == [
            (ReturnStatus.MATCHED, True, True),
            (ReturnStatus.MATCHED, True, False),
            (ReturnStatus.MATCHED, True, True),
        ]
        outbox = {
            (m.task, m.return_id): m
            for m in session.scalars(select(OutboxMessage).where(OutboxMessage.return_id == ids[1]))
        }
        parked = outbox[("file_in_dossier", ids[1])]
        assert parked.failures == 3
        assert parked.failed_at is not None
        assert parked.done_at is None
        assert "a failure only this document meets" in (parked.last_error or "")
        assert outbox[("start_workflow", ids[1])].done_at is not None
        # The sweeper never sends it again: staff decide.
        assert claim_stale(session, older_than=dt.timedelta(0)) == []
        # Staff see it on the return, with its error; operations in the metrics.
        office = get_office(session, "demo")
        effects = {e.task: e for e in return_detail(session, office, ids[1]).effects}
        assert (effects["file_in_dossier"].state, effects["file_in_dossier"].failures) == (
            "failed",
            3,
        )
        assert "a failure only this document meets" in (effects["file_in_dossier"].last_error or "")
        assert effects["start_workflow"].state == "done"
        with pytest.raises(ActionRefusedError):  # nothing of the others is parked
            retry_parked(session, office, ids[0])
    gauges = {family.name: family for family in InboxCollector(engine).collect()}
    assert [(s.labels, s.value) for s in gauges["sbr_inbox_effects_parked"].samples] == [
        ({"office": "demo", "task": "file_in_dossier"}, 1)
    ]

    # Mended and tried again by staff: filed.
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER refuse_one_document ON document")
    with session_scope(engine) as session:
        assert retry_parked(session, get_office(session, "demo"), ids[1]) == 1
    process_until_idle(engine, max_bytes=10_000_000, max_attempts=3)
    with session_scope(engine) as session:
        row = session.get(InboxReturn, ids[1])
        assert row is not None
        assert row.filed


def test_a_real_worker_parks_a_poisoned_effect_and_runs_the_others(pipeline: Pipeline) -> None:
    numbers = seed_office(pipeline.engine, "demo", 3)
    pipeline.env["SBR_INBOX_MAX_ATTEMPTS"] = "2"
    # Stored first, so the trigger can name the return; then the worker decides them.
    ids = pipeline.store("demo", [build.ob_return(number, *Q1) for number in numbers])
    with pipeline.engine.begin() as connection:
        connection.exec_driver_sql(POISON_EFFECT_TRIGGER.format(return_id=ids[1]))
    pipeline.start_worker()
    nudge(pipeline.celery, ids)
    pipeline.wait_until_settled(60)

    with session_scope(pipeline.engine) as session:
        filed = [session.get(InboxReturn, return_id).filed for return_id in ids]  # type: ignore[union-attr]
        parked = session.scalars(
            select(OutboxMessage).where(OutboxMessage.failed_at.is_not(None))
        ).all()
    assert filed == [True, False, True]
    assert [(m.task, m.return_id, m.failures) for m in parked] == [("file_in_dossier", ids[1], 2)]
    log = (pipeline.work_dir / "worker.log").read_text()
    assert log.count("parked after 2 failed attempts") == 1
