"""Models: SQLAlchemy 2 models, engine and sessions, and Alembic migrations.

Every row belongs to one office (the tenant); references between an office's rows go through
composite (id, office_id) foreign keys, so the database itself refuses to cross offices.
"""

from models.access import ApiToken, IntakeKey, StaffUser
from models.base import Base
from models.catalogue import CATALOGUE, seed_products
from models.changes import ChangeEvent
from models.crm import FiscalNumber, Office, Product, Relation, RelationAddress, RelationProduct
from models.db import make_engine, session_scope
from models.dossier import Document, DossierFolder, TimelineEvent
from models.enums import (
    ChangeKind,
    LegalForm,
    RelationType,
    ReturnStatus,
    UnmatchedReason,
    WorkflowSource,
)
from models.inbox import IS_WAITING, InboxReturn, RawMessage, ReturnEvent
from models.outbox import OutboxMessage
from models.people import Contact, RelationContact, RelationGroup, RelationRole, TeamMember
from models.planner import PlannerRule, Workflow

__all__ = [
    "CATALOGUE",
    "IS_WAITING",
    "ApiToken",
    "Base",
    "ChangeEvent",
    "ChangeKind",
    "Contact",
    "Document",
    "DossierFolder",
    "FiscalNumber",
    "InboxReturn",
    "IntakeKey",
    "LegalForm",
    "Office",
    "OutboxMessage",
    "PlannerRule",
    "Product",
    "RawMessage",
    "Relation",
    "RelationAddress",
    "RelationContact",
    "RelationGroup",
    "RelationProduct",
    "RelationRole",
    "RelationType",
    "ReturnEvent",
    "ReturnStatus",
    "StaffUser",
    "TeamMember",
    "TimelineEvent",
    "UnmatchedReason",
    "Workflow",
    "WorkflowSource",
    "make_engine",
    "seed_products",
    "session_scope",
]
