"""Domain codes stored in the database (docs/domain.md), as string enums.

Relation types, legal forms and unmatched reasons are defined in :mod:`matching.codes` (so the
pure rules need no ORM) and re-exported here with the codes only the database needs.

They are stored as their string values with a CHECK constraint (not native PostgreSQL enums), so
adding a code is a one-line migration on both PostgreSQL and SQLite.
"""

from __future__ import annotations

import enum

from sqlalchemy import Enum

# The codes the pure matching rules speak, defined there without any dependency.
from matching.codes import LegalForm, RelationType, UnmatchedReason

__all__ = [
    "ChangeKind",
    "LegalForm",
    "RelationType",
    "ReturnStatus",
    "UnmatchedReason",
    "WorkflowSource",
    "string_enum",
]


class ChangeKind(enum.StrEnum):
    """``change_event.kind``: which matching-relevant fact of a relation changed."""

    FISCAL_NUMBER = "fiscal_number"  # added or removed
    SBR_SETTINGS = "sbr_settings"  # sbr_enabled, sbr_start_date or sbr_ideal
    LEGAL_FORM = "legal_form"
    RELATION_TYPE = "relation_type"
    PRODUCT = "product"  # added, removed, (de)activated


def string_enum(enum_class: type[enum.StrEnum], name: str) -> Enum:
    """A column type storing ``enum_class`` by value, with a named CHECK constraint."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class ReturnStatus(enum.StrEnum):
    """``inbox_return.status`` (docs/contracts.md)."""

    RECEIVED = "received"
    MATCHED = "matched"
    UNMATCHED = "unmatched"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    DISMISSED = "dismissed"


class WorkflowSource(enum.StrEnum):
    """``workflow.source``: who made the workflow."""

    PLANNER = "planner"
    INBOX = "inbox"
    STAFF = "staff"
