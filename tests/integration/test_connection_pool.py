"""The pool pings a connection only after it has rested (app.db.base._ping_if_rested): one the database
dropped meanwhile is replaced unseen, while a busy connection costs no extra round trip per checkout."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from app.db import base, make_engine

pytestmark = pytest.mark.postgres


def _backend(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.pg_backend_pid()))


def _drop(pg_url, pid: int) -> None:
    """What a database restart or an idle timeout does to a pooled connection."""
    other = make_engine(pg_url, pool_size=1, max_overflow=0)
    try:
        with other.connect() as connection:
            assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}) is True
    finally:
        other.dispose()


@pytest.fixture
def engine(pg_runtime, pg_url):
    engine = make_engine(pg_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def test_a_rested_connection_the_database_dropped_is_replaced_before_use(engine, pg_url, monkeypatch):
    dropped = _backend(engine)
    _drop(pg_url, dropped)
    monkeypatch.setattr(base, "REST_BEFORE_PING_S", 0.0)  # every connection back in the pool has rested

    assert _backend(engine) != dropped  # pinged, found dead, replaced: the caller saw nothing


def test_a_busy_connection_is_not_pinged_and_a_dropped_one_fails_once(engine, pg_url, monkeypatch):
    dropped = _backend(engine)
    _drop(pg_url, dropped)
    monkeypatch.setattr(base, "REST_BEFORE_PING_S", 3600.0)  # no connection has rested

    with pytest.raises(OperationalError):  # no ping: the statement met the dropped connection
        _backend(engine)
    assert _backend(engine) != dropped  # and the pool replaced it for the next caller
