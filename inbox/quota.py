"""How much one intake key may deliver (issue 22, item 8): a rate and a volume quota per key.

An intake key could fill the disk (the audit stored 187 MB in 8 s). Each key has three
allowances: deliveries per minute, bytes per hour and bytes per day (settings
``SBR_INBOX_INTAKE_DELIVERIES_PER_MINUTE``, ``..._BYTES_PER_HOUR``, ``..._BYTES_PER_DAY``).
Each is a bucket that a whole period's allowance fits in, refilling evenly (the generic cell
rate algorithm): a key may send its allowance at once, and then at the allowance's pace. An
allowance's state is one number on the key's row, the moment until which it is used up
(``intake_key.*_spent_until``): a delivery may go when that moment, moved on by the delivery's
cost, is at most one period from now.

The state is in the database, so every API process counts the same key alike, and the check is
one UPDATE of the key's row by its primary key, in the transaction that already looks the key
up: the intake's hot path gains one statement. A refused delivery changes nothing and is told
when to come back (429 with ``Retry-After``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from config import Settings
from models import IntakeKey

__all__ = ["IntakeQuota", "charge"]


@dataclass(frozen=True, slots=True)
class IntakeQuota:
    """What one key may deliver."""

    deliveries_per_minute: int
    bytes_per_hour: int
    bytes_per_day: int

    @classmethod
    def from_settings(cls, settings: Settings) -> IntakeQuota:
        return cls(
            settings.intake_deliveries_per_minute,
            settings.intake_bytes_per_hour,
            settings.intake_bytes_per_day,
        )


@dataclass(frozen=True, slots=True)
class _Allowance:
    column: InstrumentedAttribute[float | None]
    period: float  # seconds
    cost: float  # seconds of the period one delivery of this size uses


def _allowances(quota: IntakeQuota, deliveries: int, size: int) -> list[_Allowance]:
    return [
        _Allowance(
            IntakeKey.deliveries_spent_until, 60.0, deliveries * 60.0 / quota.deliveries_per_minute
        ),
        _Allowance(IntakeKey.hour_bytes_spent_until, 3600.0, size * 3600.0 / quota.bytes_per_hour),
        _Allowance(IntakeKey.day_bytes_spent_until, 86400.0, size * 86400.0 / quota.bytes_per_day),
    ]


def _spent_after(allowance: _Allowance, now: float) -> ColumnElement[float]:
    """The allowance's new "used up until" once this delivery is counted (SQL)."""
    spent = func.coalesce(allowance.column, now)
    return case((spent > now, spent), else_=now) + allowance.cost


def charge(
    session: Session,
    key_id: int,
    quota: IntakeQuota,
    *,
    deliveries: int,
    size: int,
    now: float | None = None,
    force: bool = False,
) -> float:
    """Count ``deliveries`` and ``size`` bytes against key ``key_id``; 0 when they fit, else the
    seconds until they would (and nothing is counted). ``force`` counts them whatever the
    quota says: bytes that arrived beyond those announced, already stored."""
    now = time.time() if now is None else now
    allowances = _allowances(quota, deliveries, size)
    values = {allowance.column.key: _spent_after(allowance, now) for allowance in allowances}
    statement = update(IntakeKey).where(IntakeKey.id == key_id).values(values)
    if not force:
        statement = statement.where(
            and_(*(_spent_after(a, now) <= now + a.period for a in allowances))
        )
    counted = session.execute(statement.returning(IntakeKey.id)).first()
    if counted is not None:
        return 0.0
    spent = session.execute(
        select(*(allowance.column for allowance in allowances)).where(IntakeKey.id == key_id)
    ).one()
    wait = max(
        max(used or now, now) + allowance.cost - now - allowance.period
        for used, allowance in zip(spent, allowances, strict=True)
    )
    return float(max(math.ceil(wait), 1))
