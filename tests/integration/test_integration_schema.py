"""The migrations build the schema the models declare, on PostgreSQL and on SQLite: a model changed without
its migration (or the other way round) fails here, not in a deployment."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine, text

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


@pytest.mark.postgres
def test_dead_letters_parked_before_raw_bytes_were_kept_keep_their_text_as_bytes(postgres_server):
    url = postgres_server.create_database(f"t_dead_letters_{uuid.uuid4().hex[:8]}")
    upgrade_database(url, "0006")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO dead_letters (fingerprint, topic, reason, key, payload, status, attempts, first_seen_at,"
                " last_seen_at) VALUES ('f1', 'work', 'invalid event', 'w-li', '{not json \u00e9', 'parked', 1, now(),"
                " now()), ('f2', 'work', 'invalid event', NULL, '', 'parked', 1, now(), now())"))
        upgrade_database(url)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT fingerprint, value, raw_key, payload FROM dead_letters "
                                           "ORDER BY fingerprint")).all()
    finally:
        engine.dispose()
    assert [(row.fingerprint, bytes(row.value), row.raw_key and bytes(row.raw_key), row.payload) for row in rows] == [
        ("f1", "{not json \u00e9".encode(), b"w-li", "{not json \u00e9"), ("f2", b"", None, "")]
