"""Planner rules and the planner run: each period's workflow made when its moment has come.

A rule keeps the start of the next period to make and the day it is due (that start minus the
lead time). The run takes the due rules (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two runs
share the work instead of doing it twice), makes every period that has come due since the
rule's ``next_period_start`` (catching up on days the job did not run), inserts the workflows
with ON CONFLICT DO NOTHING (so a workflow that exists, from the inbox, staff or another run, is
never made twice) and moves the rule on. A second run the same day finds no due rule: one
indexed query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.errors import NotFoundError
from crm.queries import get_relation
from models import Office, PlannerRule, Product, Workflow, WorkflowSource
from planner.errors import PlannerError
from planner.periods import (
    PERIOD_KINDS,
    Period,
    creation_day,
    lawful_period_kind,
    period_containing,
    periods_from,
)
from planner.schedule import schedule, schedule_rule
from planner.workflows import insert_workflows, roles_of, workflow_values

__all__ = [
    "PlannerReport",
    "create_workflow",
    "deactivate_rule",
    "run_planner",
    "set_rule",
]

BATCH = 2000


@dataclass
class PlannerReport:
    """What a run did."""

    rules: int = 0
    workflows_made: int = 0


def set_rule(
    session: Session,
    office: Office,
    relation_number: str,
    product_code: str,
    *,
    period: str,
    first_period_start: dt.date,
    create_days_before_start: int = 0,
    active: bool = True,
) -> PlannerRule:
    """Create or change the relation's planner rule for a product."""
    if period not in PERIOD_KINDS:
        raise PlannerError(f"period must be one of {', '.join(PERIOD_KINDS)}, not {period!r}")
    relation = get_relation(session, office, relation_number)
    product = _product(session, office, product_code)
    if period not in product.periods:
        raise PlannerError(f"{product.code} is filed per {' or '.join(product.periods)}")
    rule = session.scalar(
        select(PlannerRule).where(
            PlannerRule.relation_id == relation.id, PlannerRule.product_id == product.id
        )
    )
    if rule is None:
        rule = PlannerRule(office_id=office.id, relation_id=relation.id, product_id=product.id)
        session.add(rule)
    changed = (rule.period, rule.first_period_start) != (period, first_period_start)
    rule.period = period
    rule.first_period_start = first_period_start
    rule.create_days_before_start = create_days_before_start
    rule.active = active
    schedule_rule(rule, restart=changed)
    session.flush()
    return rule


def deactivate_rule(
    session: Session, office: Office, relation_number: str, product_code: str
) -> PlannerRule:
    """Stop a rule (its workflows made so far stay)."""
    relation = get_relation(session, office, relation_number)
    product = _product(session, office, product_code)
    rule = session.scalar(
        select(PlannerRule).where(
            PlannerRule.relation_id == relation.id, PlannerRule.product_id == product.id
        )
    )
    if rule is None:
        raise NotFoundError(f"relation {relation_number} has no planner rule for {product_code}")
    rule.active = False
    session.flush()
    return rule


def run_planner(session: Session, today: dt.date, *, limit: int | None = None) -> PlannerReport:
    """Make every workflow whose creation moment is on or before ``today`` (all offices)."""
    report = PlannerReport()
    while limit is None or report.rules < limit:
        rules = session.scalars(
            select(PlannerRule)
            .where(PlannerRule.active.is_(True), PlannerRule.next_creation_on <= today)
            .order_by(PlannerRule.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        if not rules:
            break
        products = {
            product.id: product
            for product in session.scalars(
                select(Product).where(Product.id.in_({rule.product_id for rule in rules}))
            )
        }
        roles = roles_of(session, (rule.relation_id for rule in rules))
        rows: list[dict[str, Any]] = []
        for rule in rules:
            product = products[rule.product_id]
            for period in periods_from(rule.period, rule.next_period_start):
                if creation_day(period.start, rule.create_days_before_start) > today:
                    schedule(rule, period.start)
                    break
                rows.append(
                    workflow_values(
                        office_id=rule.office_id,
                        relation_id=rule.relation_id,
                        product=product,
                        period=period,
                        kind=rule.period,
                        source=WorkflowSource.PLANNER,
                        roles=roles.get(rule.relation_id, {}),
                    )
                )
        report.workflows_made += len(insert_workflows(session, rows))
        report.rules += len(rules)
        session.flush()
    return report


def create_workflow(
    session: Session,
    office: Office,
    relation_number: str,
    product_code: str,
    period: Period,
    *,
    kind: str | None = None,
) -> Workflow:
    """Staff make a workflow by hand for a period that has already started (or any period).

    The office software's rule "maak een workflow aan indien de aangifteperiode al is gestart": the
    planner only makes future periods. Returns the existing workflow if there is one.
    """
    relation = get_relation(session, office, relation_number)
    product = _product(session, office, product_code)
    declared = kind or next(
        (use.period for use in relation.products if use.product_id == product.id), None
    )
    kinds = product.periods if declared is None else [declared]
    if lawful_period_kind(period, product.periods, declared) is None:
        # Staff type dates; the calendar says which periods exist (a four-week period 1 of
        # 2026 is 1-25 January, not 1-28).
        hint = period_containing(kinds[0], period.start)
        raise PlannerError(
            f"{period.start}..{period.end} is not a {' or '.join(kinds)} period of "
            f"{product_code}; the {kinds[0]} period containing {period.start} is "
            f"{hint.start}..{hint.end}"
        )
    values = workflow_values(
        office_id=office.id,
        relation_id=relation.id,
        product=product,
        period=period,
        kind=kind,
        source=WorkflowSource.STAFF,
        roles=roles_of(session, [relation.id]).get(relation.id, {}),
    )
    insert_workflows(session, [values])
    return session.scalars(
        select(Workflow).where(
            Workflow.relation_id == relation.id,
            Workflow.product_id == product.id,
            Workflow.period_start == period.start,
            Workflow.period_end == period.end,
        )
    ).one()


def _product(session: Session, office: Office, code: str) -> Product:
    product = session.scalar(
        select(Product).where(Product.office_id == office.id, Product.code == code)
    )
    if product is None:
        raise NotFoundError(f"office {office.code!r} has no product {code!r}")
    return product
