"""When a planner rule makes its next workflow: its next period's start, minus the lead time.

Kept apart from the planner run (``planner.rules``) so that the client records, which store
rules on import, can schedule them without importing the run (and the run imports the client
records' queries: no cycle). The date arithmetic itself is the calendar's
(:func:`planner.periods.first_schedule`).
"""

from __future__ import annotations

import datetime as dt

from models import PlannerRule
from planner.periods import creation_day, first_schedule

__all__ = ["schedule", "schedule_rule"]


def schedule(rule: PlannerRule, period_start: dt.date) -> None:
    """Make ``period_start`` the rule's next period (and its creation day the lead before)."""
    rule.next_period_start = period_start
    rule.next_creation_on = creation_day(period_start, rule.create_days_before_start)


def schedule_rule(rule: PlannerRule, *, restart: bool) -> None:
    """Set when the rule makes its next workflow: from its first period when new or when its
    period or first period changed (``restart``), else from where it was."""
    if restart or rule.next_period_start is None:
        for name, value in first_schedule(
            rule.period, rule.first_period_start, rule.create_days_before_start
        ).items():
            setattr(rule, name, value)
    else:
        schedule(rule, rule.next_period_start)
