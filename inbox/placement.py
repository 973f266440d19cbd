"""The workflow a placed return goes into, and the return's version in it.

:func:`prepare_workflows` finds the workflows of (relation, product, period) of a batch's
placements, locked, and makes the missing ones (INSERT ... ON CONFLICT DO NOTHING: the planner or
another worker may make one at the same moment), in a few statements whatever the batch's size
(the existing workflows locked in one SELECT, the team roles of the new ones in one, the new
ones inserted in one, the versions counted in one; issue 16). It leaves them on the session,
where :func:`workflow_for` takes them in the batch's order, so two returns of one workflow in
one batch are versions 1 and 2 exactly as they would be one after the other. A placement
decided on its own (staff, re-decide) is prepared the same way, as a batch of one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from matching.decide import Decision
from models import FiscalNumber, InboxReturn, Product, ReturnStatus, Workflow, WorkflowSource
from planner.payment import PAID_PRODUCTS, payment_reference
from planner.periods import CORRECTION, Period, is_correction
from planner.workflows import insert_workflows, roles_of, workflow_values
from sbr_parser import ReturnKind

__all__ = ["forget_prepared", "prepare_workflows", "recompute_payment_facts", "workflow_for"]

#: (relation id, product id, period start, period end): what makes a workflow one.
WorkflowKey = tuple[int, int, dt.date, dt.date]
_PREPARED = "sbr_inbox_prepared_workflows"


@dataclass
class _Prepared:
    """A batch's workflows: by key, those this batch made and no return took yet, and the
    highest version in each so far."""

    workflows: dict[WorkflowKey, Workflow]
    unused_new: set[int] = field(default_factory=set)
    versions: dict[int, int] = field(default_factory=dict)


def key_of(row: InboxReturn, decision: Decision) -> WorkflowKey:
    """The workflow key of a placement (the decision names relation and product)."""
    assert decision.relation is not None  # noqa: S101 - only placements have a workflow
    assert decision.product is not None  # noqa: S101
    assert row.period_start is not None  # noqa: S101 - a decided return has its period
    assert row.period_end is not None  # noqa: S101
    return (
        decision.relation.relation_id,
        decision.product.product_id,
        row.period_start,
        row.period_end,
    )


def workflow_for(session: Session, row: InboxReturn, decision: Decision) -> tuple[int, int]:
    """(workflow id, the return's version in it) for a placement: prepared for its batch, or
    (a placement on its own) prepared now as a batch of one."""
    key = key_of(row, decision)
    prepared: _Prepared | None = session.info.get(_PREPARED)
    if prepared is None or key not in prepared.workflows:
        prepared = _prepare(session, [(row, decision)])
    workflow = prepared.workflows[key]
    if workflow.id in prepared.unused_new:
        prepared.unused_new.discard(workflow.id)
        version = 1
    else:
        _learn_from(session, workflow, row, decision)
        version = prepared.versions.get(workflow.id, 0) + 1
    prepared.versions[workflow.id] = version
    return workflow.id, version


def prepare_workflows(session: Session, placements: Sequence[tuple[InboxReturn, Decision]]) -> None:
    """Find or make the workflows of a batch's placements, for :func:`workflow_for`."""
    session.info[_PREPARED] = _prepare(session, placements)


def _prepare(session: Session, placements: Sequence[tuple[InboxReturn, Decision]]) -> _Prepared:
    first: dict[WorkflowKey, tuple[InboxReturn, Decision]] = {}
    for row, decision in placements:
        first.setdefault(key_of(row, decision), (row, decision))
    if not first:
        return _Prepared({})
    workflows = _locked(session, list(first))
    missing = sorted(key for key in first if key not in workflows)  # one order: no deadlock
    made: set[int] = set()
    if missing:
        roles = roles_of(session, {key[0] for key in missing})
        made = set(
            insert_workflows(
                session,
                [_new_values(session, *first[key], roles.get(key[0], {})) for key in missing],
            )
        )
        workflows |= _locked(session, missing)  # ours, and any made at the same moment elsewhere
    older = [workflow.id for workflow in workflows.values() if workflow.id not in made]
    versions: dict[int, int] = {}
    if older:
        versions = {
            workflow_id: highest or 0
            for workflow_id, highest in session.execute(
                select(InboxReturn.workflow_id, func.max(InboxReturn.version))
                .where(InboxReturn.workflow_id.in_(older))
                .group_by(InboxReturn.workflow_id)
            ).all()
            if workflow_id is not None
        }
    return _Prepared(workflows, made, versions)


def forget_prepared(session: Session) -> None:
    """Drop a batch's prepared workflows (the next batch prepares its own)."""
    session.info.pop(_PREPARED, None)


def _locked(session: Session, keys: Sequence[WorkflowKey]) -> dict[WorkflowKey, Workflow]:
    """The existing workflows of these keys, locked (versions are counted under the lock), in
    id order so that two batches lock shared workflows in the same order."""
    found = session.scalars(
        select(Workflow)
        .where(
            tuple_(
                Workflow.relation_id,
                Workflow.product_id,
                Workflow.period_start,
                Workflow.period_end,
            ).in_(keys)
        )
        .order_by(Workflow.id)
        .with_for_update()
    )
    return {
        (workflow.relation_id, workflow.product_id, workflow.period_start, workflow.period_end): (
            workflow
        )
        for workflow in found
    }


def _new_values(
    session: Session, row: InboxReturn, decision: Decision, roles: dict[str, str]
) -> dict[str, object]:
    """The columns of the workflow a placement makes (``roles``: the relation's team)."""
    assert decision.relation is not None  # noqa: S101 - a placement
    assert decision.product is not None  # noqa: S101
    product = _product(session, decision.product.product_id)
    relation_id = decision.relation.relation_id
    period = Period(row.period_start, row.period_end)  # type: ignore[arg-type]
    # The relation says what it files; else the dates. A suppletie over several of its periods
    # is a correction of its own.
    kind = decision.product.period
    if row.kind == ReturnKind.OB_SUPPLETIE and is_correction(period, kind):
        kind = CORRECTION
    values = workflow_values(
        office_id=row.office_id,
        relation_id=relation_id,
        product=product,
        period=period,
        kind=kind,
        source=WorkflowSource.INBOX,
        roles=roles,
        ideal_payment=decision.ideal,
    )
    return {
        **values,
        "amount_due": row.amount_due,
        "payment_reference": _reference(product.code, row, values["period_kind"]),
    }


def _learn_from(session: Session, workflow: Workflow, row: InboxReturn, decision: Decision) -> None:
    """An existing workflow takes what a newly placed return says: iDEAL, the amount due, and
    (a planned one) its betalingskenmerk."""
    if decision.ideal and not workflow.ideal_payment:
        workflow.ideal_payment = True
    if row.amount_due is not None:
        workflow.amount_due = row.amount_due
    if workflow.payment_reference is None and workflow.period_kind is not None:
        product = _product(session, workflow.product_id)
        workflow.payment_reference = _reference(product.code, row, workflow.period_kind)


def recompute_payment_facts(session: Session, workflow: Workflow, leaving: InboxReturn) -> None:
    """A workflow's payment facts as the returns still in it say, ``leaving`` left out (an
    undone placement, issue 22): what :func:`_learn_from` and the new workflow's values would
    have made of them had ``leaving`` never joined.

    The amount due is the newest version's that has one; the betalingskenmerk is made from the
    first return's number; iDEAL is on when the number of a return still in it asks for it on
    this relation. With no return left, they are what the planner makes: none, and no iDEAL.
    """
    staying = session.scalars(
        select(InboxReturn)
        .where(
            InboxReturn.workflow_id == workflow.id,
            InboxReturn.id != leaving.id,
            InboxReturn.status == ReturnStatus.MATCHED,
        )
        .order_by(InboxReturn.version)
    ).all()
    amounts = [row.amount_due for row in staying if row.amount_due is not None]
    workflow.amount_due = amounts[-1] if amounts else None
    product = _product(session, workflow.product_id)
    workflow.payment_reference = (
        _reference(product.code, staying[0], workflow.period_kind)
        if staying and workflow.period_kind is not None
        else None
    )
    numbers = {
        (row.identifier_type, row.identifier_normalised)
        for row in staying
        if row.identifier_type is not None and row.identifier_normalised is not None
    }
    workflow.ideal_payment = bool(numbers) and any(
        session.scalars(
            select(FiscalNumber.sbr_ideal).where(
                FiscalNumber.relation_id == workflow.relation_id,
                tuple_(FiscalNumber.type, FiscalNumber.normalised).in_(numbers),
            )
        )
    )


def _reference(product_code: str, row: InboxReturn, period_kind: str) -> str | None:
    """The betalingskenmerk of a placed OB or payroll return (None for the other products)."""
    if (
        product_code not in PAID_PRODUCTS
        or row.identifier_normalised is None
        or row.period_start is None
        or row.period_end is None
    ):
        return None
    try:
        return payment_reference(
            row.identifier_normalised, period_kind, Period(row.period_start, row.period_end)
        )
    except ValueError:  # a period kind with no code (e.g. an OB four-week period)
        return None


def _product(session: Session, product_id: int) -> Product:
    """The product, read once per session: the identity map holds objects weakly, so a batch
    of returns would otherwise read the same few catalogue rows once per return."""
    products: dict[int, Product] = session.info.setdefault("products", {})
    if product_id not in products:
        found = session.get(Product, product_id)
        assert found is not None  # noqa: S101 - a decision or a workflow refers to it
        products[product_id] = found
    return products[product_id]
