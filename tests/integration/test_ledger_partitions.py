"""The ledger's month partitions on PostgreSQL (app/db/partitions.py): the migration moves the stored rows in and
out again, a row of a month without a partition waits in the DEFAULT one and is moved when its month's partition
is made, the unique keys refuse what they refused, and an archived month leaves the ledger."""
from __future__ import annotations

import uuid
from datetime import date

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from app.db.partitions import detach_month, keep_months
from app.migrate import alembic_config, upgrade_database

pytestmark = pytest.mark.postgres

LINES = [  # (assignment, worker, work date, fen): months far apart, one before every partition made ahead
    ("a1", "w1", "2025-11-03", 100), ("a1", "w1", "2026-03-02", 250), ("a1", "w1", "2026-03-03", 90),
    ("a2", "w2", "2026-04-01", 70), ("a2", "w2", "2026-04-30", 40)]
RECORDS = [("w1", "s1", "2025-11-03", "present"), ("w1", "s1", "2026-03-02", "half_day"),
           ("w2", "s1", "2026-03-31", "absent"), ("w2", "s1", "2026-04-01", "present")]


def _fill(connection) -> None:
    connection.execute(text("SET LOCAL session_replication_role = replica"))  # no workers or sites: beside the point
    for assignment, worker in {("a1", "w1"), ("a2", "w2")}:
        connection.execute(text("INSERT INTO assignments (id, worker_id, site_id, start_date, scheme, created_at) "
                                "VALUES (:a, :w, 's1', '2025-01-01', '{}', now())"), {"a": assignment, "w": worker})
    for assignment, worker, day, fen in LINES:
        _line(connection, assignment, worker, day, fen)
    for worker, site, day, status in RECORDS:
        connection.execute(text(
            "INSERT INTO attendance_records (worker_id, site_id, work_date, event_id, recorded_at, status) "
            "VALUES (:w, :s, :d, :e, '2026-03-01T00:00:00.000000Z', :status)"),
            {"w": worker, "s": site, "d": day, "e": f"e-{worker}-{day}", "status": status})


def _line(connection, assignment: str, worker: str, day: str, fen: int):
    return connection.scalar(text(
        "INSERT INTO wage_lines (assignment_id, worker_id, site_id, period, work_date, scheme, amount_fen, facts, "
        "updated_at) VALUES (:a, :w, 's1', :p, :d, 'daily', :fen, '{}', now()) RETURNING id"),
        {"a": assignment, "w": worker, "p": day[:7], "d": day, "fen": fen})


def _stored(connection) -> tuple[list, list]:
    lines = [tuple(row) for row in connection.execute(text(
        "SELECT id, assignment_id, period, CAST(work_date AS TEXT), amount_fen FROM wage_lines ORDER BY id"))]
    records = [tuple(row) for row in connection.execute(text(
        "SELECT worker_id, site_id, CAST(work_date AS TEXT), status FROM attendance_records ORDER BY 1, 2, 3"))]
    return lines, records


def _holders(connection, table: str) -> dict[str, str]:
    """Each row's month -> the table that holds it."""
    month = "period" if table == "wage_lines" else "to_char(work_date, 'YYYY-MM')"
    return dict(connection.execute(text(
        f"SELECT DISTINCT {month}, CAST(tableoid::regclass AS TEXT) FROM {table}")).all())


def _partitioned(connection, table: str) -> bool:
    return connection.scalar(text("SELECT relkind FROM pg_class WHERE relname = :t"), {"t": table}) == "p"


@pytest.fixture
def database(postgres_server):
    url = postgres_server.create_database(f"t_parts_{uuid.uuid4().hex[:8]}")
    upgrade_database(url, "0025")
    engine = create_engine(url)
    with engine.begin() as connection:
        _fill(connection)
    with engine.connect() as connection:
        before = _stored(connection)
    yield url, engine, before
    engine.dispose()


def test_the_upgrade_moves_every_row_into_its_months_partition_and_the_downgrade_back(database):
    url, engine, before = database
    upgrade_database(url)
    with engine.connect() as connection:
        assert _stored(connection) == before
        assert _partitioned(connection, "wage_lines") and _partitioned(connection, "attendance_records")
        assert _holders(connection, "wage_lines") == {
            "2025-11": "wage_lines_2025_11", "2026-03": "wage_lines_2026_03", "2026-04": "wage_lines_2026_04"}
        assert _holders(connection, "attendance_records") == {
            "2025-11": "attendance_records_2025_11", "2026-03": "attendance_records_2026_03",
            "2026-04": "attendance_records_2026_04"}
        this_month = date.today().isoformat()[:7].replace("-", "_")
        assert connection.scalar(text("SELECT count(*) FROM pg_class WHERE relname IN (:a, :b)"),
                                 {"a": f"wage_lines_{this_month}", "b": f"attendance_records_{this_month}"}) == 2
    with engine.begin() as connection:  # the ids go on from the same sequence
        assert _line(connection, "a2", "w2", "2026-04-02", 5) > max(line[0] for line in before[0])
    command.downgrade(alembic_config(url), "0025")
    with engine.connect() as connection:
        lines, records = _stored(connection)
        assert (lines[:-1], records) == before
        assert not _partitioned(connection, "wage_lines") and not _partitioned(connection, "attendance_records")
    with engine.begin() as connection:
        assert _line(connection, "a2", "w2", "2026-04-03", 5) > lines[-1][0]
        with pytest.raises(IntegrityError):  # the plain table's unique key again
            with connection.begin_nested():
                _line(connection, "a1", "w1", "2026-03-02", 1)


def test_a_month_without_a_partition_waits_in_the_default_and_moves_in_when_its_partition_is_made(database):
    url, engine, before = database
    upgrade_database(url)
    with engine.begin() as connection:  # a late line of a month long before the others, and a far future one
        _line(connection, "a1", "w1", "2024-02-29", 11)
        _line(connection, "a2", "w2", "2031-07-01", 12)
        connection.execute(text(
            "INSERT INTO attendance_records (worker_id, site_id, work_date, event_id, recorded_at, status) "
            "VALUES ('w1', 's1', '2031-07-15', 'late', '2031-07-15T00:00:00.000000Z', 'present')"))
    with engine.connect() as connection:
        assert _holders(connection, "wage_lines")["2024-02"] == "wage_lines_default"
        assert _holders(connection, "attendance_records")["2031-07"] == "attendance_records_default"
        waiting = _stored(connection)
    with engine.begin() as connection:
        made = keep_months(connection, date.today())
    assert set(made) == {"wage_lines_2024_02", "wage_lines_2031_07", "attendance_records_2031_07"}
    with engine.connect() as connection:
        assert _stored(connection) == waiting  # nothing lost, nothing twice
        assert _holders(connection, "wage_lines")["2024-02"] == "wage_lines_2024_02"
        assert _holders(connection, "wage_lines")["2031-07"] == "wage_lines_2031_07"
        assert _holders(connection, "attendance_records")["2031-07"] == "attendance_records_2031_07"
        assert connection.scalar(text("SELECT count(*) FROM wage_lines_default")) == 0
    with engine.begin() as connection:
        assert keep_months(connection, date.today()) == []  # made once
        with pytest.raises(IntegrityError):  # a line of an assignment and day is still one, across partitions too
            with connection.begin_nested():
                _line(connection, "a1", "w1", "2024-02-29", 1)
        with pytest.raises(IntegrityError):
            with connection.begin_nested():
                connection.execute(text(
                    "INSERT INTO attendance_records (worker_id, site_id, work_date, event_id, recorded_at, status) "
                    "VALUES ('w1', 's1', '2026-03-02', 'again', '2026-03-02T00:00:00.000000Z', 'absent')"))


def test_an_archived_month_leaves_the_ledger_as_plain_tables(database):
    url, engine, before = database
    upgrade_database(url)
    with engine.begin() as connection:
        assert detach_month(connection, "2025-11") == ["archived_attendance_records_2025_11",
                                                       "archived_wage_lines_2025_11"]
    with engine.connect() as connection:
        lines, records = _stored(connection)
        assert lines == [line for line in before[0] if line[2] != "2025-11"]
        assert records == [record for record in before[1] if not record[2].startswith("2025-11")]
        assert connection.scalar(text("SELECT count(*) FROM archived_wage_lines_2025_11")) == 1
    with engine.begin() as connection:  # a late line of the archived month waits, then gets a partition again
        _line(connection, "a1", "w1", "2025-11-04", 3)
        assert keep_months(connection, date.today()) == ["wage_lines_2025_11"]


def test_the_wage_consumer_makes_the_months_ahead_once_a_day(pg_runtime):
    import dataclasses

    from consumers.loop import MonthPartitions

    runtime = dataclasses.replace(pg_runtime, settings=dataclasses.replace(pg_runtime.settings,
                                                                           fixed_today=date(2031, 12, 20)))
    months = MonthPartitions(runtime)
    months.keep()
    with runtime.engine.connect() as connection:
        made = set(connection.scalars(text(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname LIKE 'wage_lines_203%'")))
    assert made == {"wage_lines_2031_12", "wage_lines_2032_01", "wage_lines_2032_02"}
    with runtime.engine.begin() as connection:  # dropped behind its back: the same day, it is not made again
        connection.execute(text("DROP TABLE wage_lines_2032_02"))
    months.keep()
    assert not _exists(runtime, "wage_lines_2032_02")
    months.runtime = dataclasses.replace(runtime, settings=dataclasses.replace(runtime.settings,
                                                                               fixed_today=date(2031, 12, 21)))
    months.keep()  # the next day
    assert _exists(runtime, "wage_lines_2032_02")


def _exists(runtime, table: str) -> bool:
    with runtime.engine.connect() as connection:
        return connection.scalar(text("SELECT count(*) FROM pg_class WHERE relname = :t"), {"t": table}) == 1


def test_the_commands_make_months_ahead_and_archive_a_paid_month(pg_runtime):
    from app.factory import create_app

    cli = create_app(runtime=pg_runtime).test_cli_runner()
    made = cli.invoke(args=["ledger-partitions"])
    assert made.exit_code == 0, (made.output, made.exception)
    with pg_runtime.engine.begin() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica"))  # no worker or site: beside the point
        connection.execute(text("INSERT INTO assignments (id, worker_id, site_id, start_date, scheme, created_at) "
                                "VALUES ('a-cli', 'w1', 's1', '2024-01-01', '{}', now())"))
        _line(connection, "a-cli", "w1", "2024-01-05", 7)
    again = cli.invoke(args=["ledger-partitions"])
    assert again.output.strip() == "wage_lines_2024_01", (again.output, again.exception)
    this_month = cli.invoke(args=["archive-month", date.today().isoformat()[:7]])
    assert this_month.exit_code != 0 and "before this one" in this_month.output
    archived = cli.invoke(args=["archive-month", "2024-01"])
    assert archived.exit_code == 0 and archived.output.split() == ["archived_wage_lines_2024_01"]
    assert cli.invoke(args=["archive-month", "2024-01"]).exit_code != 0  # archived already
    with pg_runtime.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM wage_lines WHERE period = '2024-01'")) == 0
        assert connection.scalar(text("SELECT amount_fen FROM archived_wage_lines_2024_01")) == 7
