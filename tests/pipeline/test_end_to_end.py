"""From HTTP intake to both effects, through a real API process, Redis and a real worker."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy import func, select

from inbox.keys import create_intake_key
from models import (
    Document,
    DossierFolder,
    InboxReturn,
    Office,
    ReturnStatus,
    TimelineEvent,
    Workflow,
    WorkflowSource,
    session_scope,
)
from planner.rules import run_planner, set_rule
from sbr_parser import message_builder as build
from tests.support.harness import Pipeline, seed_office

Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def test_http_intake_to_workflow_started_and_filed(pipeline: Pipeline) -> None:
    numbers = seed_office(pipeline.engine, "demo", 3)
    with session_scope(pipeline.engine) as session:
        office = session.scalars(select(Office).where(Office.code == "demo")).one()
        key = create_intake_key(session, office)
        # The planner already made Q1 of the first client: its returns must land in it.
        set_rule(session, office, "1000", "aangifte_ob", period="quarter", first_period_start=Q1[0])
        assert run_planner(session, Q1[0]).workflows_made == 1
        planned = session.scalars(select(Workflow)).one().id
    pipeline.env["SBR_INBOX_MAX_MESSAGE_BYTES"] = "200000"
    pipeline.env["SBR_INBOX_METRICS_TOKEN"] = "scrape-token-of-this-test"  # noqa: S105
    pipeline.start_worker()
    base = pipeline.serve()
    url = f"{base}/api/offices/demo/inbox"
    headers = {"X-Intake-Key": key}

    first = build.ob_return(numbers[0], *Q1)
    bodies = [
        first,
        first,  # the same bytes again: a duplicate
        build.ob_suppletie(numbers[0], *Q1),  # a correction: version 2
        build.ob_return(numbers[1], *Q1),
        build.ob_return("123456782B01", *Q1),  # nobody's number
        b"%PDF-1.7",  # not a return
    ]
    ids = []
    for body in bodies:
        response = httpx.post(url, content=body, headers=headers, timeout=10)
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])

    assert httpx.post(url, content=first, timeout=10).status_code == 401
    assert (
        httpx.post(url, content=first, headers={"X-Intake-Key": "x"}, timeout=10).status_code == 401
    )
    too_large = httpx.post(url, content=b"<" * 300_000, headers=headers, timeout=10)
    assert too_large.status_code == 413
    assert too_large.json()["detail"]["reason"] == "too_large"

    pipeline.wait_until_settled(timeout=60)
    audit = pipeline.audit()
    assert (audit.lost, audit.duplicated) == (0, 0)
    with session_scope(pipeline.engine) as session:
        rows = {r.id: r for r in session.scalars(select(InboxReturn))}
        statuses = [rows[i].status for i in ids]
        assert statuses == [
            ReturnStatus.MATCHED,
            ReturnStatus.DUPLICATE,
            ReturnStatus.MATCHED,
            ReturnStatus.MATCHED,
            ReturnStatus.UNMATCHED,
            ReturnStatus.REJECTED,
        ]
        assert rows[too_large.json()["detail"]["id"]].reason == "too_large"
        # Versions follow the order of decision (two workers may take them in either order).
        assert {rows[ids[0]].version, rows[ids[2]].version} == {1, 2}
        for return_id in (ids[0], ids[2], ids[3]):
            assert rows[return_id].workflow_started
            assert rows[return_id].filed
        # Both versions of client 1000's Q1 sit in the planner's workflow; no second one.
        assert rows[ids[0]].workflow_id == rows[ids[2]].workflow_id == planned
        workflow = session.get(Workflow, planned)
        assert workflow is not None
        assert (workflow.source, workflow.status) == (WorkflowSource.PLANNER, "review")
        assert session.scalar(select(func.count()).select_from(Workflow)) == 2
        documents = session.scalars(select(Document)).all()
        assert {d.return_id for d in documents} == {ids[0], ids[2], ids[3]}
        folder = session.get(DossierFolder, documents[0].folder_id)
        assert folder is not None
        assert folder.name == "2026"
        assert not any(d.client_visible for d in documents)
        kinds = [e.kind for e in session.scalars(select(TimelineEvent))]
        assert kinds.count("workflow_started") == 3
        assert kinds.count("return_filed") == 3

    assert httpx.get(f"{base}/metrics", timeout=10).status_code == 401
    scrape = {"Authorization": "Bearer scrape-token-of-this-test"}
    metrics = httpx.get(f"{base}/metrics", headers=scrape, timeout=10).text
    assert 'sbr_inbox_returns{office="demo",reason="",status="matched"} 3.0' in metrics
    assert 'sbr_inbox_queue_depth{queue="inbox"}' in metrics
