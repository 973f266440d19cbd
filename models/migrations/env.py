"""Alembic environment: the URL comes from the config (set by models.migrate) or the settings."""

from __future__ import annotations

from alembic import context

import models.crm  # noqa: F401 - registers the tables on the metadata
from config import get_settings
from models.base import Base
from models.db import make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_migrations() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
