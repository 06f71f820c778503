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
from app.db.declarative import Base
from app.db.partitions import is_partition_name
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
    # a month's partition is the table's, which is what a model declares
    keep = {"include_name": lambda name, kind, _parents: kind != "table" or not is_partition_name(name)}
    return compare_metadata(MigrationContext.configure(connection, opts=keep), DECLARED)


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


def _fill_before_income_was_kept(connection: Connection) -> None:
    """Wage lines and adjustments as a database at revision 0008 holds them (the registry is beside the point)."""
    line = ("INSERT INTO wage_lines (assignment_id, worker_id, site_id, period, work_date, scheme, amount_fen, facts,"
            " updated_at) VALUES (:a, :w, 's1', :period, :day, 'daily', :fen, '{}', '2026-05-01')")
    for a, worker, day, fen in [("a1", "w1", "2026-03-02", 100), ("a1", "w1", "2026-03-03", 250),
                                ("a2", "w1", "2026-04-01", 70), ("a3", "w2", "2026-03-02", 40),
                                ("a4", "w3", "2026-03-09", 0)]:
        connection.execute(text(line), {"a": a, "w": worker, "period": day[:7], "day": day, "fen": fen})
    adjustment = ("INSERT INTO adjustments (site_id, worker_id, adjusts_month, in_month, amount_fen, updated_at)"
                  " VALUES ('s1', :w, :month, '2026-05', :fen, '2026-05-01')")
    for worker, month, fen in [("w1", "2026-03", -50), ("w2", "2026-03", -40), ("w2", "2026-02", 30)]:
        connection.execute(text(adjustment), {"w": worker, "month": month, "fen": fen})


# per worker and month: the lines dated in it plus the adjustments of it; a month that comes to 0 has no row
INCOME_OF_THE_FILL = [("w1", "2026-03", 300), ("w1", "2026-04", 70), ("w2", "2026-02", 30)]


def _income_after_upgrade(url: str, *setup: str, to: str = "head") -> list[tuple]:
    upgrade_database(url, "0008")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in setup:
                connection.execute(text(statement))
            _fill_before_income_was_kept(connection)
        upgrade_database(url, to)
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(
                "SELECT worker_id, month, income_fen FROM worker_month_income ORDER BY worker_id, month"))]
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_migration_fills_the_income_from_the_lines_and_adjustments_on_postgresql(postgres_server):
    url = postgres_server.create_database(f"t_income_{uuid.uuid4().hex[:8]}")
    # the lines' assignments are not there: foreign keys are not what this is about (and 0035, which moves the
    # lines into partitions, builds theirs again, which would refuse them)
    assert _income_after_upgrade(url, "SET LOCAL session_replication_role = replica",
                                 to="0025") == INCOME_OF_THE_FILL


def test_the_migration_fills_the_income_from_the_lines_and_adjustments_on_sqlite(tmp_path):
    # as on PostgreSQL: 0035 copies the lines (SQLite's batch mode), which their absent assignments would fail
    assert _income_after_upgrade(f"sqlite:///{tmp_path / 'income.db'}", to="0025") == INCOME_OF_THE_FILL


def _weeks_after_upgrade(url: str, *setup: str) -> list[tuple]:
    """Work records as a database at revision 0012 holds them, then the upgrade's fill of the weeks at work."""
    upgrade_database(url, "0012")
    engine = create_engine(url)
    attendance = ("INSERT INTO attendance_records (worker_id, site_id, work_date, event_id, recorded_at, status)"
                  " VALUES (:w, :s, :day, :e, '2026-03-01T00:00:00.000000Z', :status)")
    output = ("INSERT INTO output_records (event_id, worker_id, site_id, work_date, product, grade, quantity,"
              " voided_by) VALUES (:e, :w, :s, :day, 'bear', 'A', 1, :voided)")
    try:
        with engine.begin() as connection:
            for statement in setup:
                connection.execute(text(statement))
            for n, (worker, site, day, status) in enumerate([
                    ("w1", "s1", "2026-03-01", "present"), ("w1", "s1", "2026-03-02", "half_day"),
                    ("w1", "s1", "2026-03-08", "present"), ("w2", "s1", "2026-03-03", "absent"),
                    ("w3", "s2", "2026-03-10", "leave")]):
                connection.execute(text(attendance), {"w": worker, "s": site, "day": day, "e": f"a{n}",
                                                      "status": status})
            for n, (worker, site, day, voided) in enumerate([("w2", "s2", "2026-03-04", None),
                                                             ("w3", "s2", "2026-03-11", "v1"),
                                                             ("w1", "s1", "2026-03-05", None)]):
                connection.execute(text(output), {"e": f"o{n}", "w": worker, "s": site, "day": day, "voided": voided})
        upgrade_database(url)
        with engine.connect() as connection:
            return [(worker, site, str(week)) for worker, site, week in connection.execute(text(
                "SELECT worker_id, site_id, week FROM site_week_workers ORDER BY worker_id, site_id, week"))]
    finally:
        engine.dispose()


# a week (its Monday) of a worker at a site with a present or half-day record, or output not voided
WEEKS_OF_THE_FILL = [("w1", "s1", "2026-02-23"), ("w1", "s1", "2026-03-02"), ("w2", "s2", "2026-03-02")]


@pytest.mark.postgres
def test_the_migration_fills_the_weeks_at_work_from_the_records_on_postgresql(postgres_server):
    url = postgres_server.create_database(f"t_weeks_{uuid.uuid4().hex[:8]}")
    # the records' workers and sites are not there: foreign keys are not what this is about
    assert _weeks_after_upgrade(url, "SET LOCAL session_replication_role = replica") == WEEKS_OF_THE_FILL


def test_the_migration_fills_the_weeks_at_work_from_the_records_on_sqlite(tmp_path):
    assert _weeks_after_upgrade(f"sqlite:///{tmp_path / 'weeks.db'}") == WEEKS_OF_THE_FILL
