"""The migrations build the schema the models declare, on PostgreSQL and on SQLite: a model changed without
its migration (or the other way round) fails here, not in a deployment."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine

import app.db.models  # noqa: F401  (registers every table on Base.metadata)
from app.db.base import Base
from app.migrate import upgrade_database
from events.bus import log

DECLARED = [Base.metadata, log.metadata]  # as migrations/env.py gives autogenerate


@contextmanager
def _migrated(url: str) -> Iterator[Connection]:
    upgrade_database(url)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _differences(connection: Connection) -> list:
    return compare_metadata(MigrationContext.configure(connection), DECLARED)


@pytest.mark.postgres
def test_the_migrated_postgresql_schema_is_the_models(pg_url):
    with _migrated(pg_url) as connection:
        assert _differences(connection) == []


def test_the_migrated_sqlite_schema_is_the_models(tmp_path):
    with _migrated(f"sqlite:///{tmp_path / 'schema.db'}") as connection:
        assert _differences(connection) == []
