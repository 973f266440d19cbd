"""Reading workflows: the docs/contracts.md ``workflows list`` record, scoped by office, all of
them (the CLI) or a page at a time, filtered and counted in SQL (the planbord, the relation
page: at 30,000 workflows reading them all took seconds and hundreds of megabytes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select, true, tuple_
from sqlalchemy.orm import Session

from models import InboxReturn, Office, Product, Relation, ReturnStatus, Workflow
from models.paging import Keyset, Page
from planner.payment import payment_account
from planner.records import WorkflowRecord

__all__ = [
    "DONE",
    "PLANBORD_ORDER",
    "RELATION_ORDER",
    "WorkflowFilter",
    "count_workflows",
    "list_workflows",
    "page_workflows",
    "workflow_periods",
]

DONE = "done"
# The planbord: by period, product and relation, as it groups them.
PLANBORD_ORDER = Keyset((Workflow.period_start, Product.code, Relation.number, Workflow.id))
# A relation's page: its newest periods first.
RELATION_ORDER = Keyset((Workflow.period_start, Workflow.id), descending=True)


@dataclass(frozen=True)
class WorkflowFilter:
    """Which of the office's workflows: each field set narrows, as a WHERE clause."""

    product: str | None = None
    # (start, end) of the periods wanted; None: any period (an empty collection: none).
    periods: Collection[tuple[dt.date, dt.date]] | None = None
    # The team member code of whoever holds the current step.
    owner: str | None = None
    open_only: bool = False
    relation_id: int | None = None


def list_workflows(
    session: Session,
    office: Office,
    ids: Sequence[int] | None = None,
    *,
    relation_id: int | None = None,
) -> list[WorkflowRecord]:
    """The office's workflows (only those of ``ids``, or of one relation, when given) with the
    ids of the returns in them, oldest period first."""
    chosen = _chosen(office)
    if ids is not None:
        chosen = chosen.where(Workflow.id.in_(ids))
    if relation_id is not None:
        chosen = chosen.where(Workflow.relation_id == relation_id)
    rows = session.execute(chosen.order_by(Workflow.period_start, Relation.number, Product.code))
    return _records(session, office, [(w, number, code) for w, number, code in rows])


def page_workflows(
    session: Session,
    office: Office,
    where: WorkflowFilter,
    order: Keyset,
    *,
    after: str | None,
    size: int,
) -> Page[WorkflowRecord]:
    """One page of the office's workflows that ``where`` selects, in ``order`` (a keyset over
    the columns of workflow, relation and product), from after the cursor ``after``: two
    statements, each reading a page of rows (the page, and the returns placed in it)."""
    statement = order.paged(_narrowed(session, _chosen(office), where), after, size)
    rows = [(w, number, code) for w, number, code in session.execute(statement)]
    page = order.page(rows, size, lambda row: _key(order, row))
    return Page(_records(session, office, page.rows), page.next)


def count_workflows(
    session: Session, office: Office, where: WorkflowFilter, *, late_on: dt.date | None = None
) -> int:
    """How many of the office's workflows ``where`` selects (only those overdue on
    ``late_on`` when given: open, with a filing or payment deadline before that day); counted
    in the database, no row read."""
    statement = _narrowed(
        session,
        select(func.count(Workflow.id))
        .join(Relation, Relation.id == Workflow.relation_id)
        .join(Product, Product.id == Workflow.product_id)
        .where(Workflow.office_id == office.id),
        where,
    )
    if late_on is not None:
        statement = statement.where(
            Workflow.status != DONE,
            or_(Workflow.deadline < late_on, Workflow.payment_deadline < late_on),
        )
    return session.scalar(statement) or 0


def workflow_periods(session: Session, office: Office) -> list[tuple[dt.date, dt.date, str | None]]:
    """The distinct (start, end, kind) of the office's workflows, oldest first: a few dozen
    a year however many workflows there are."""
    rows = session.execute(
        select(Workflow.period_start, Workflow.period_end, Workflow.period_kind)
        .where(Workflow.office_id == office.id)
        .distinct()
        .order_by(Workflow.period_start, Workflow.period_end, Workflow.period_kind)
    )
    return [(start, end, kind) for start, end, kind in rows]


def _chosen(office: Office) -> Select[Workflow, str, str]:
    return (
        select(Workflow, Relation.number, Product.code)
        .join(Relation, Relation.id == Workflow.relation_id)
        .join(Product, Product.id == Workflow.product_id)
        .where(Workflow.office_id == office.id)
    )


def _narrowed(session: Session, statement: Any, where: WorkflowFilter) -> Any:
    conditions: list[ColumnElement[bool]] = []
    if where.product is not None:
        conditions.append(Product.code == where.product)
    if where.periods is not None:
        periods = list(where.periods)
        conditions.append(
            tuple_(Workflow.period_start, Workflow.period_end).in_(periods) if periods else ~true()
        )
    if where.owner is not None:
        conditions.append(_held_by(session, where.owner))
    if where.open_only:
        conditions.append(Workflow.status != DONE)
    if where.relation_id is not None:
        conditions.append(Workflow.relation_id == where.relation_id)
    return statement.where(*conditions)


def _held_by(session: Session, member: str) -> ColumnElement[bool]:
    """The workflow's current step (the step named as its status) is ``member``'s.

    The steps are a JSON list on the row (``planner.steps``), so each database's own JSON
    functions look inside it; ``owner_of`` on the planbord reads the same from a record.
    """
    name: ColumnElement[Any]
    holder: ColumnElement[Any]
    if session.get_bind().dialect.name == "postgresql":
        steps = func.json_array_elements(Workflow.steps).table_valued("value").alias("step")
        name, holder = steps.c.value.op("->>")("name"), steps.c.value.op("->>")("member")
    else:
        steps = func.json_each(Workflow.steps).table_valued("value").alias("step")
        name = func.json_extract(steps.c.value, "$.name")
        holder = func.json_extract(steps.c.value, "$.member")
    return exists(select(1).select_from(steps).where(name == Workflow.status, holder == member))


def _key(order: Keyset, row: tuple[Workflow, str, str]) -> tuple[Any, ...]:
    """A row's values of ``order``'s columns (the workflow's, its relation number, its
    product code)."""
    workflow, number, code = row
    # Matched by identity: a column's == builds SQL, so columns cannot be dictionary keys.
    known: tuple[tuple[object, Any], ...] = (
        (Workflow.period_start, workflow.period_start),
        (Workflow.period_end, workflow.period_end),
        (Workflow.id, workflow.id),
        (Relation.number, number),
        (Product.code, code),
    )
    return tuple(
        next(value for known_column, value in known if known_column is column)
        for column in order.columns
    )


def _records(
    session: Session, office: Office, rows: Sequence[tuple[Workflow, str, str]]
) -> list[WorkflowRecord]:
    """The records of ``rows`` with the ids of the returns placed in each (one query)."""
    if not rows:
        return []
    ids = [workflow.id for workflow, _, _ in rows]
    placed = select(InboxReturn.workflow_id, InboxReturn.id).where(
        InboxReturn.office_id == office.id,
        InboxReturn.workflow_id.is_not(None),
        InboxReturn.status == ReturnStatus.MATCHED,
    )
    # A page names its few workflows; the whole list (the CLI) reads the office's placed
    # returns at once rather than in thousands of bound parameters.
    statement = placed.where(InboxReturn.workflow_id.in_(ids)) if len(ids) <= 1000 else placed
    wanted = set(ids)
    returns: dict[int, list[int]] = {}
    for workflow_id, return_id in session.execute(statement.order_by(InboxReturn.id)):
        if workflow_id in wanted:
            returns.setdefault(workflow_id, []).append(return_id)
    return [_record(office, workflow, number, code, returns) for workflow, number, code in rows]


def _record(
    office: Office, workflow: Workflow, number: str, code: str, returns: dict[int, list[int]]
) -> WorkflowRecord:
    return WorkflowRecord(
        id=workflow.id,
        office=office.code,
        relation_number=number,
        product=code,
        period_start=workflow.period_start.isoformat(),
        period_end=workflow.period_end.isoformat(),
        deadline=None if workflow.deadline is None else workflow.deadline.isoformat(),
        source=workflow.source.value,
        status=workflow.status,
        return_ids=returns.get(workflow.id, []),
        period_kind=workflow.period_kind,
        ideal_payment=workflow.ideal_payment,
        steps=workflow.steps,
        payment_deadline=_iso(workflow.payment_deadline),
        payment_reference=workflow.payment_reference,
        payment_account=None
        if workflow.payment_deadline is None
        else payment_account(workflow.payment_deadline),
        amount_due=None if workflow.amount_due is None else str(workflow.amount_due),
    )


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()
