"""The work the office plans and does: workflows (one per relation, product and period) and the
planner rules that make them ahead of time.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, TimestampMixin
from models.crm import Product, same_office
from models.enums import WorkflowSource, string_enum

__all__ = ["PlannerRule", "Workflow"]


class Workflow(TimestampMixin, Base):
    """The work for one relation, one product, one period (unique together)."""

    __tablename__ = "workflow"
    __table_args__ = (
        UniqueConstraint("relation_id", "product_id", "period_start", "period_end"),
        UniqueConstraint("id", "office_id"),
        same_office("relation_id", "relation"),
        same_office("product_id", "product"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    relation_id: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(Integer, index=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[WorkflowSource] = mapped_column(string_enum(WorkflowSource, "workflow_source"))
    # The current step's name (see planner.steps), "done" at the end.
    status: Mapped[str] = mapped_column(String(32), default="prepare")
    period_kind: Mapped[str | None] = mapped_column(String(16))
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    # Ordered steps: [{"name", "member" (team member code or null), "ideal_payment"?}].
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # From the fiscal number's sbr_ideal: the client's approval step offers an iDEAL payment.
    ideal_payment: Mapped[bool] = mapped_column(Boolean, default=False)
    amount_due: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    # OB and payroll tax only (IB and VPB are paid on an assessment): when the amount must be
    # paid (AWR art. 19) and the betalingskenmerk, known once a return names the number.
    payment_deadline: Mapped[dt.date | None] = mapped_column(Date)
    payment_reference: Mapped[str | None] = mapped_column(String(16))


class PlannerRule(TimestampMixin, Base):
    """Creates a relation's workflows of one product for future periods (plannerregel)."""

    __tablename__ = "planner_rule"
    __table_args__ = (
        UniqueConstraint("relation_id", "product_id"),
        same_office("relation_id", "relation"),
        same_office("product_id", "product"),
        # The daily run reads only the rules whose next creation moment has come.
        Index("ix_planner_rule_due", "active", "next_creation_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id", ondelete="CASCADE"), index=True)
    relation_id: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(Integer, index=True)
    period: Mapped[str] = mapped_column(String(16))
    first_period_start: Mapped[dt.date] = mapped_column(Date)
    create_days_before_start: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The start of the next period to create, and the day it is due to be created.
    next_period_start: Mapped[dt.date] = mapped_column(Date)
    next_creation_on: Mapped[dt.date] = mapped_column(Date)

    product: Mapped[Product] = relationship(
        primaryjoin="PlannerRule.product_id == Product.id",
        foreign_keys="PlannerRule.product_id",
        viewonly=True,
    )
