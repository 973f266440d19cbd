"""Models: SQLAlchemy 2 models, engine and sessions, and Alembic migrations.

Issue 4 grows this into the whole CRM; so far: offices, relations with their knowledge-base
fields and addresses, and fiscal numbers with their SBR settings.
"""

from models.base import Base
from models.catalogue import CATALOGUE, seed_products
from models.crm import FiscalNumber, Office, Product, Relation, RelationAddress, RelationProduct
from models.db import make_engine, session_scope
from models.enums import LegalForm, RelationType

__all__ = [
    "CATALOGUE",
    "Base",
    "FiscalNumber",
    "LegalForm",
    "Office",
    "Product",
    "Relation",
    "RelationAddress",
    "RelationProduct",
    "RelationType",
    "make_engine",
    "seed_products",
    "session_scope",
]
