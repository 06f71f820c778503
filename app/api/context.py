"""The process runtime as seen from a request."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.api.idempotency import reserve_key
from app.runtime import Runtime


def runtime() -> Runtime:
    return current_app.extensions["stablework"]


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction per request: `with unit_of_work() as session:` commits or rolls back."""
    with runtime().sessions.begin() as session:
        yield session
        # A POST under an Idempotency-Key commits its key with its write, or neither.
        reserve_key(session)


@contextmanager
def reading() -> Iterator[Session]:
    """A request that only reads: `with reading() as session:`. Nothing to commit, and on PostgreSQL no
    transaction round trips (app.db.base.make_read_session_factory); a write in it raises."""
    with runtime().readers() as session:
        yield session


@contextmanager
def reading_rows() -> Iterator[Connection]:
    """A request that only reads, by Core statements: `with reading_rows() as reader:`. Like `reading()`
    without a session, whose cost is a large share of a hot read such as a balance."""
    with runtime().read_engine.connect() as connection:
        yield connection
