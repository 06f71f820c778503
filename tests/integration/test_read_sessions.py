"""Read-only sessions on PostgreSQL run each statement on its own (no BEGIN and COMMIT round trips),
refuse writes, and hand their connection back to the pool transactional again. Only reads keep
prepared statements (app.db.base._prepare_reads_only)."""
from __future__ import annotations

import pytest
from sqlalchemy import any_, bindparam, func, select, table
from support.read_sessions import assert_reads_and_refuses_writes, county

from app.db import make_engine, make_read_engine, make_read_session_factory, make_session_factory
from app.db.models import Region

pytestmark = pytest.mark.postgres


def _transaction_starts(session) -> list:
    """now() of two statements 10 ms apart: the same instant when they share a transaction."""
    return [session.scalar(select(func.now(), func.pg_sleep(0.01))) for _ in range(2)]


def test_a_read_session_reads_and_refuses_every_write(pg_runtime):
    assert_reads_and_refuses_writes(pg_runtime)


def test_each_statement_of_a_read_is_its_own_transaction_and_a_unit_of_work_is_still_one(pg_runtime, pg_url):
    engine = make_engine(pg_url, pool_size=1, max_overflow=0)  # one connection for both
    sessions, readers = make_session_factory(engine), make_read_session_factory(make_read_engine(engine))
    try:
        with readers() as session:
            first, second = _transaction_starts(session)
            assert second > first
        with sessions.begin() as session:  # the same connection, back from autocommit
            first, second = _transaction_starts(session)
            assert second == first
        with pytest.raises(RuntimeError), sessions.begin() as session:
            session.add(county("360799"))
            session.flush()
            raise RuntimeError("the unit of work fails after its write")
        with readers() as session:
            assert session.scalar(select(func.count()).select_from(Region).where(Region.code == "360799")) == 0
    finally:
        engine.dispose()


def _prepared_after_runs(session) -> int:
    """Run a lookup by id list as often as a batch writer would, then count the backend's prepared statements."""
    lookup = select(Region.code).where(Region.code == any_(bindparam("codes")))
    for _ in range(8):
        session.execute(lookup, {"codes": ["360702", "360703"]}).all()
    return session.scalar(select(func.count()).select_from(table("pg_prepared_statements")))


def test_a_write_plans_each_statement_with_its_values_and_a_read_keeps_prepared_plans(pg_runtime, pg_url):
    engine = make_engine(pg_url, pool_size=1, max_overflow=0)  # one connection, one backend, for both
    sessions, readers = make_session_factory(engine), make_read_session_factory(make_read_engine(engine))
    try:
        with sessions.begin() as session:
            assert _prepared_after_runs(session) == 0  # no generic plan for `= ANY(:codes)`
        with readers() as session:
            assert _prepared_after_runs(session) >= 1
        with sessions.begin() as session:  # the same connection, taken for writing again
            assert _prepared_after_runs(session) == 1  # the read's, kept; none of its own
    finally:
        engine.dispose()
