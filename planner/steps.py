"""A workflow's ordered steps and who does each, as data.

Each step names the role on the relation (``relation_role``) whose team member owns it; the
client's approval step offers an iDEAL payment when the fiscal number's ``sbr_ideal`` is set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["STEPS", "steps_for"]

# (step, role that owns it); "preparer" is the product's own role below.
STEPS: tuple[tuple[str, str | None], ...] = (
    ("prepare", "preparer"),
    ("review", "accountmanager"),
    ("client_approval", "accountmanager"),
    ("submit", "preparer"),
    ("done", None),
)
PREPARER: dict[str, str] = {
    "aangifte_ob": "accountmanager",
    "opgaaf_icp": "accountmanager",
    "loonaangifte": "loonadministrateur",
    "aangifte_ib": "fiscalist",
    "aangifte_vpb": "fiscalist",
}


def steps_for(
    product_code: str, roles: Mapping[str, str], *, ideal_payment: bool
) -> list[dict[str, Any]]:
    """The steps of a new workflow, each with its owner from ``roles`` (role -> member code)."""
    steps = []
    for name, role in STEPS:
        if role == "preparer":
            role = PREPARER.get(product_code, "accountmanager")  # noqa: PLW2901
        step: dict[str, Any] = {"name": name, "member": roles.get(role) if role else None}
        if name == "client_approval":
            step["ideal_payment"] = ideal_payment
        steps.append(step)
    return steps
