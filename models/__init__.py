"""Models: SQLAlchemy 2 models, sessions and Alembic migrations (issue 4)."""
