"""Alembic makes the schema on both backends, and the models match the migrations."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect

from models.db import make_engine
from models.migrate import alembic_config, check, is_current, newest_revision, upgrade

TABLES = {"office", "relation", "relation_address", "fiscal_number"}


def test_upgrade_creates_every_table(engine: Engine) -> None:
    assert set(inspect(engine).get_table_names()) >= TABLES


def test_models_and_migrations_agree(database_url: str) -> None:
    # alembic check raises when autogenerate would produce a new revision.
    check(database_url)


def test_upgrade_is_safe_to_run_again(database_url: str) -> None:
    upgrade(database_url)


def test_fiscal_number_lookup_is_indexed(engine: Engine) -> None:
    indexes = {
        ix["name"]: ix["column_names"] for ix in inspect(engine).get_indexes("fiscal_number")
    }
    assert indexes["ix_fiscal_number_lookup"] == ["office_id", "type", "normalised"]


def test_the_newest_revision_from_file_names_is_alembics_head(engine: Engine) -> None:
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    script = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    assert newest_revision() == script.get_current_head()
    assert is_current(engine)  # the test database is migrated


def test_a_database_without_schema_is_not_current(tmp_path: Path) -> None:
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert not is_current(empty)
    upgrade(str(empty.url))
    assert is_current(empty)
    empty.dispose()
