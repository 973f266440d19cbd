"""The planbord and the relation page read one page, in SQL (issue 22, item 6a).

At 30,000 workflows the planbord took 12.4 s and 16.5 MB of HTML, because it loaded every
workflow of the office and filtered them in Python. Here an office holds more workflows (and a
relation more documents and timeline lines) than fit on a page: each page shows one page of
rows, its "volgende" link leads on until every row was shown exactly once, the filters give the
right rows, and no request loads more than a page of rows (counted by SQLAlchemy's ``load``
event on the real database, so a page that reads everything and shows a part still fails).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from api.dutch import period_label
from crm.offices import get_office
from crm.queries import dossier_folders, get_relation
from models import Document, Product, TimelineEvent, Workflow, WorkflowSource, session_scope
from planner.periods import Period, periods_from
from planner.workflows import insert_workflows, workflow_values
from tests.api_fixtures import World
from tests.security.conftest import PASSWORD, sign_in

PAGE = 50  # rows per page on both pages
MONTHS = list(zip(range(120), periods_from("month", dt.date(2016, 1, 1)), strict=False))


@contextmanager
def loaded(*models: type[Any]) -> Iterator[dict[str, int]]:
    """How many rows of each model the block loads as ORM objects."""
    counts = {model.__name__: 0 for model in models}
    listeners = []
    for model in models:

        def count(_target: Any, _context: Any, name: str = model.__name__) -> None:
            counts[name] += 1

        event.listen(model, "load", count)
        listeners.append((model, count))
    try:
        yield counts
    finally:
        for model, count in listeners:
            event.remove(model, "load", count)


def _workflows(
    session: Session, office_code: str, product_code: str, periods: list[Period]
) -> list[int]:
    office = get_office(session, office_code)
    relation = get_relation(session, office, "1001")
    product = session.scalars(
        select(Product).where(Product.office_id == office.id, Product.code == product_code)
    ).one()
    insert_workflows(
        session,
        [
            workflow_values(
                office_id=office.id,
                relation_id=relation.id,
                product=product,
                period=period,
                kind=None,
                source=WorkflowSource.STAFF,
                roles={},
            )
            for period in periods
        ],
    )
    return list(
        session.scalars(
            select(Workflow.id)
            .where(Workflow.relation_id == relation.id, Workflow.product_id == product.id)
            .order_by(Workflow.id)
        )
    )


def _pages(world: World, path: str, rows: str, link: str) -> list[list[str]]:
    """Every page from ``path`` on, following the link with id ``link``: each page's rows
    (the matches of the pattern ``rows``), with at most a page of rows loaded per request."""
    pages: list[list[str]] = []
    next_path: str | None = path
    while next_path is not None:
        assert len(pages) < 10, "the next-page links go round in circles"
        with loaded(Workflow, Document, TimelineEvent) as counts:
            response = world.client.get(next_path)
        assert response.status_code == 200, response.text
        assert all(count <= PAGE + 1 for count in counts.values()), counts
        pages.append(re.findall(rows, response.text))
        found = re.search(rf'<a [^>]*id="{link}"[^>]*href="([^"]+)"', response.text) or re.search(
            rf'<a [^>]*href="([^"]+)"[^>]*id="{link}"', response.text
        )
        next_path = None if found is None else html.unescape(found.group(1))
    return pages


def _exactly_once(pages: list[list[str]], expected: set[str]) -> None:
    shown = [row for page in pages for row in page]
    assert len(shown) == len(set(shown)), "a row was shown twice"
    assert set(shown) == expected


def test_the_planbord_shows_a_page_filtered_in_sql_and_its_next_link_shows_the_rest(
    world: World,
) -> None:
    months = [period for _, period in MONTHS]
    with session_scope(world.engine) as session:
        ob = _workflows(session, "a", "aangifte_ob", months)
        lh = _workflows(session, "a", "loonaangifte", months[:10])
        _workflows(session, "b", "aangifte_ob", months)  # another office's: never shown
        # Five OB workflows are done (hidden while "alleen open werk" is on), and three of
        # the others are held by pdv in their current step.
        session.execute(update(Workflow).where(Workflow.id.in_(ob[:5])).values(status="done"))
        for workflow_id in ob[10:13]:
            session.execute(
                update(Workflow)
                .where(Workflow.id == workflow_id)
                .values(steps=[{"name": "prepare", "member": "pdv"}, {"name": "review"}])
            )
    assert sign_in(world.client, "staff@a.example", PASSWORD).status_code == 303
    rows = r'id="workflow-(\d+)"'

    pages = _pages(world, "/planbord?product=aangifte_ob", rows, "volgende")
    assert [len(page) for page in pages] == [PAGE, PAGE, 15]
    _exactly_once(pages, {str(i) for i in ob[5:]})
    first = world.client.get("/planbord?product=aangifte_ob").text
    assert "115 werkstromen" in first  # the count of every page, not of this one

    everything = _pages(world, "/planbord?open=false", rows, "volgende")
    assert [len(page) for page in everything] == [PAGE, PAGE, 30]
    _exactly_once(everything, {str(i) for i in ob + lh})

    lh_only = _pages(world, "/planbord?product=loonaangifte", rows, "volgende")
    _exactly_once(lh_only, {str(i) for i in lh})
    held = _pages(world, "/planbord?eigenaar=pdv", rows, "volgende")
    _exactly_once(held, {str(i) for i in ob[10:13]})
    january = period_label(months[48].start, months[48].end, "month")  # jan 2020
    one_period = _pages(world, f"/planbord?periode={january}&open=false", rows, "volgende")
    _exactly_once(one_period, {str(ob[48])})


def test_the_relation_page_shows_a_page_of_workflows_documents_and_timeline(
    world: World,
) -> None:
    months = [period for _, period in MONTHS]
    with session_scope(world.engine) as session:
        _workflows(session, "a", "aangifte_ob", months)
        office = get_office(session, "a")
        relation = get_relation(session, office, "1001")
        folder = dossier_folders(session, office, "1001")[0]
        for n in range(120):
            session.add(
                Document(
                    office_id=office.id,
                    relation_id=relation.id,
                    folder_id=folder.id,
                    name=f"Stuk {n:03}",
                )
            )
            session.add(
                TimelineEvent(
                    office_id=office.id,
                    relation_id=relation.id,
                    kind="note",
                    text=f"Gebeurtenis {n:03}",
                )
            )
    assert sign_in(world.client, "staff@a.example", PASSWORD).status_code == 303
    labels = [period_label(p.start, p.end, "month") for p in months]

    workflows = _pages(
        world, "/relaties/1001", r'data-label="Periode">([^<]+)<', "werkstromen-volgende"
    )
    assert [len(page) for page in workflows] == [PAGE, PAGE, 20]
    _exactly_once(workflows, set(labels))
    assert labels[-1] in workflows[0]  # the newest period first

    documents = _pages(world, "/relaties/1001", r"(Stuk \d{3})", "documenten-volgende")
    assert [len(page) for page in documents] == [PAGE, PAGE, 20]
    _exactly_once(documents, {f"Stuk {n:03}" for n in range(120)})
    assert "Stuk 119" in documents[0]  # the newest first

    timeline = _pages(world, "/relaties/1001", r"(Gebeurtenis \d{3})", "tijdlijn-volgende")
    assert [len(page) for page in timeline] == [PAGE, PAGE, 20]
    _exactly_once(timeline, {f"Gebeurtenis {n:03}" for n in range(120)})
    assert "Gebeurtenis 119" in timeline[0]
