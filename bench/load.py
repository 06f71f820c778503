"""Loading a synthetic country straight into the database (COPY on PostgreSQL, executemany on
SQLite): benchmark setup, not a path of the product (which registers people through the API)."""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import psycopg
from psycopg import sql

from app.access.tokens import issue_token
from app.db import make_engine, make_session_factory
from app.db.audit import install_audit
from app.migrate import upgrade_database
from bench.country import Country
from bench.progress import Progress

REGISTRY = (  # table, columns, rows of the country
    ("regions", ("code", "name", "level", "parent_code", "path"), "regions"),
    ("households", ("id", "region_code", "size", "status", "created_at"), "household_rows"),
    # personal numbers are left out (NULL): they are encrypted at rest by the model, which COPY bypasses
    ("workers", ("id", "household_id", "name", "created_at"), "worker_rows"),
    ("sites", ("id", "kind", "name", "region_code", "created_at"), "sites"),
    ("assignments", ("id", "worker_id", "site_id", "start_date", "end_date", "scheme", "created_at"),
     "assignment_rows"),
)
WAGE_LINE_COLUMNS = ("assignment_id", "worker_id", "site_id", "period", "work_date", "scheme", "amount_fen", "facts",
                     "updated_at")
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _values(row: dict, columns: Iterable[str]) -> tuple:
    return tuple(json.dumps(row[c]) if isinstance(row.get(c), dict) else row.get(c) for c in columns)


def copy_rows(conn: psycopg.Connection, table: str, columns: tuple[str, ...], rows: Iterable[dict],
              progress: Progress | None = None) -> int:
    count = 0
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(_values(row, columns))
            count += 1
            if progress and count % 1000 == 0:
                progress.update(1000)
    if progress:
        progress.update(count % 1000)
    return count


def prepare_postgres(server, name: str, country: Country, quiet: bool = False, revision: str = "head") -> str:
    """A fresh database `name`, migrated (to `revision`), with the country's registry; returns its SQLAlchemy URL."""
    url = server.create_database(name)
    upgrade_database(url, revision)
    with psycopg.connect(libpq(url)) as conn:
        for table, columns, method in REGISTRY:
            with Progress(f"COPY {table}", enabled=not quiet, unit="rows") as bar:
                copy_rows(conn, table, columns, getattr(country, method)(), bar)
        conn.commit()
        conn.execute("ANALYZE")
    return url


def copy_wage_lines(url: str, lines: Iterator[dict], total: int | None = None) -> int:
    """COPY the lines alone: the income kept with them (worker_month_income) stays empty, as what reads these
    lines (the month close) never reads it."""
    with psycopg.connect(libpq(url)) as conn:
        with Progress("COPY wage_lines", total, "rows") as bar:
            count = copy_rows(conn, "wage_lines", WAGE_LINE_COLUMNS,
                              ({**line, "updated_at": NOW} for line in lines), bar)
        conn.commit()
        conn.execute("ANALYZE wage_lines")
    return count


def prepare_sqlite(path, country: Country, quiet: bool = False) -> str:
    url = f"sqlite:///{path}"
    upgrade_database(url)
    conn = sqlite3.connect(path)
    try:
        for table, columns, method in REGISTRY:
            with Progress(f"insert {table}", enabled=not quiet, unit="rows") as bar:
                statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                batch = []
                for row in getattr(country, method)():
                    batch.append(tuple(_sqlite(v) for v in _values(row, columns)))
                    if len(batch) == 5000:
                        conn.executemany(statement, batch)
                        bar.update(len(batch))
                        batch.clear()
                conn.executemany(statement, batch)
                bar.update(len(batch))
        conn.commit()
    finally:
        conn.close()
    return url


def _sqlite(value):
    """SQLAlchemy's SQLite storage formats for dates and times."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def admin_token(url: str) -> str:
    engine = make_engine(url)
    try:
        sessions = make_session_factory(engine)
        install_audit(sessions)
        with sessions.begin() as session:
            return issue_token(session, name="bench admin", role="admin")
    finally:
        engine.dispose()
