"""Taxpayer data in logs (issue 12, item 22): a failing statement's error, as a worker logs it
and Flower shows it, names the SQL but not the values (fiscal numbers, amounts)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from models import make_engine


def test_a_database_error_does_not_show_its_parameters(database_url: str) -> None:
    engine = make_engine(database_url)
    statement = (
        "SELECT CAST(:bsn AS VARCHAR(3)) / 0"
        if engine.dialect.name == "postgresql"
        else "SELECT no_such_column, :bsn"
    )
    try:
        with engine.connect() as connection, pytest.raises(DBAPIError) as raised:
            connection.execute(text(statement), {"bsn": "111222333"})
        assert "111222333" not in str(raised.value)
        assert "hidden" in str(raised.value)
    finally:
        engine.dispose()
