"""Errors of the planner's service functions, with messages fit to show staff."""

from __future__ import annotations

__all__ = ["PlannerError"]


class PlannerError(Exception):
    """A planner rule or workflow that cannot be made as asked; the message says why."""
