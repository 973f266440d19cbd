"""``session_scope`` commits a unit of work that succeeds and rolls back one that raises."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine, delete, select

from models import Office, session_scope


def _add_then_fail(engine: Engine, code: str) -> None:
    with session_scope(engine) as session:
        session.add(Office(code=code))
        session.flush()
        raise RuntimeError(code)


def test_session_scope_commits_or_rolls_back(engine: Engine) -> None:
    kept, dropped = f"kept-{uuid.uuid4().hex[:8]}", f"dropped-{uuid.uuid4().hex[:8]}"
    try:
        with session_scope(engine) as session:
            session.add(Office(code=kept))
        with pytest.raises(RuntimeError):
            _add_then_fail(engine, dropped)
        with session_scope(engine) as session:
            codes = set(
                session.scalars(select(Office.code).where(Office.code.in_([kept, dropped])))
            )
        assert codes == {kept}
    finally:
        with session_scope(engine) as session:
            session.execute(delete(Office).where(Office.code.in_([kept, dropped])))
