"""The migrations build the schema the models declare, on PostgreSQL and on SQLite: a model changed without
its migration (or the other way round) fails here, not in a deployment."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from app.db.base import Base
from app.migrate import upgrade_database
from events.bus import log

DECLARED = [Base.metadata, log.metadata]  # as migrations/env.py gives autogenerate


def _differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return compare_metadata(MigrationContext.configure(connection), DECLARED)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_migrated_postgresql_schema_is_the_models(pg_url):
    upgrade_database(pg_url)
    assert _differences(pg_url) == []
    engine = create_engine(pg_url)
    with engine.connect() as connection:  # a table option autogenerate does not compare
        assert connection.scalar(text("SELECT reloptions FROM pg_class WHERE relname = 'wage_lines'")) == [
            "fillfactor=80"]
    engine.dispose()


def test_the_migrated_sqlite_schema_is_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'schema.db'}"
    upgrade_database(url)
    assert _differences(url) == []
