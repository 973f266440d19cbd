"""The workflow record (``workflows list --json``, docs/contracts.md) as a typed model.

Dates stay ISO text, exactly as the contract has always written them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["WorkflowRecord"]


class WorkflowRecord(BaseModel):
    """The work for one relation, product and period, with the returns placed in it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int
    office: str
    relation_number: str
    product: str
    period_start: str
    period_end: str
    deadline: str | None
    source: str
    status: str
    return_ids: list[int]
    # Added fields:
    period_kind: str | None
    ideal_payment: bool
    steps: list[dict[str, Any]]
    payment_deadline: str | None
    payment_reference: str | None
    payment_account: str | None
    amount_due: str | None
