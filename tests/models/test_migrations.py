"""Alembic makes the schema on both backends, and the models match the migrations."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from models.migrate import check, upgrade

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
