"""The per-process engine, sessionmaker and read engine (the models' base is app/db/declarative.py)."""
from __future__ import annotations

import time
from functools import partial
from pathlib import Path

from psycopg.types.array import ListBinaryDumper
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

Reader = Session | Connection  # what a read runs its Core statements on: either has execute() and scalar()


def make_engine(database_url: str, **kwargs) -> Engine:
    """Create the process's engine; SQLite gets WAL, foreign keys and a busy timeout. Statement parameters
    never appear in logs or error messages (hide_parameters): they may hold personal data."""
    if database_url.startswith("sqlite"):
        _ensure_sqlite_dir(database_url)
        engine = create_engine(database_url, connect_args={"timeout": 30}, hide_parameters=True, **kwargs)
        event.listen(engine, "connect", _configure_sqlite)
        # pysqlite's own transaction handling defers BEGIN; take control so that every unit of work that
        # may write starts with BEGIN IMMEDIATE and writers queue instead of failing. A read-only one
        # (`make_read_session_factory`) begins deferred: under WAL it reads a snapshot beside the writer.
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    engine = create_engine(database_url, hide_parameters=True, **kwargs)
    event.listen(engine, "connect", _binary_arrays)
    event.listen(engine, "engine_connect", _prepare_reads_only)
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "checkout", partial(_ping_if_rested, engine.dialect))
    return engine


def _binary_arrays(dbapi_connection, _record) -> None:
    """Send list parameters (`among`'s arrays, `update_rows`' columns) in PostgreSQL's binary format: psycopg
    renders a text array in Python, element by element, far more slowly than the binary one, and a batch sends
    arrays of thousands. psycopg's `%s` takes the dumper registered last for a type."""
    dbapi_connection.adapters.register_dumper(list, ListBinaryDumper)


# A connection back in the pool for longer than this is pinged before it is handed out again.
REST_BEFORE_PING_S = 1.0


def _note_checkin(_dbapi_connection, record) -> None:
    record.info["checked_in"] = time.monotonic()


def _ping_if_rested(dialect, dbapi_connection, record, _proxy) -> None:
    """Ping a connection that has rested in the pool, so one the database dropped (a restart, an idle
    timeout) is replaced before a request uses it: the pool retries the checkout on DisconnectionError.
    Not a busy one: a ping on every checkout would add a round trip to every balance read, and under
    load each round trip is another wait for the GIL behind a POST. So a connection
    the database drops within a second of its last use fails one request (a 503 with Retry-After; the
    consumers retry), and the pool then replaces every connection older than that failure."""
    checked_in = record.info.get("checked_in")  # None: just connected
    if checked_in is None or time.monotonic() - checked_in < REST_BEFORE_PING_S:
        return
    try:
        dialect.do_ping(dbapi_connection)
    except dialect.loaded_dbapi.Error as error:
        raise DisconnectionError("the connection was dropped while in the pool") from error


def make_session_factory(engine: Engine) -> sessionmaker:
    """The process's sessionmaker (app.runtime.build_runtime has its sessions write the audit log)."""
    return sessionmaker(engine, expire_on_commit=False)


def make_read_engine(engine: Engine) -> Engine:
    """`engine` for requests that only read: a statement that would write raises.

    On PostgreSQL each statement runs on its own (autocommit): a transaction would cost a BEGIN and a
    COMMIT round trip and give a read nothing, since under READ COMMITTED every statement takes its own
    snapshot anyway. A read that needs several statements to agree runs them as one statement. On SQLite
    a deferred BEGIN: under WAL a read does not queue behind a writer. The pool is `engine`'s."""
    # read_only marks this engine's connections for _begin_sqlite and _prepare_reads_only.
    if engine.dialect.name == "sqlite":
        reader = engine.execution_options(read_only=True)
    else:
        reader = engine.execution_options(read_only=True, isolation_level="AUTOCOMMIT")
    event.listen(reader, "before_execute", _refuse_writes)  # this engine's connections only, not `engine`'s
    return reader


def make_read_session_factory(read_engine: Engine) -> sessionmaker:
    """Sessions on `read_engine` (make_read_engine), for reads that want ORM objects."""
    readers = sessionmaker(read_engine, expire_on_commit=False, autoflush=False)
    event.listen(readers, "before_flush", _refuse_flush)  # the engine would refuse the INSERT; this says why
    return readers


def _refuse_flush(session, _flush_context, _instances) -> None:
    raise ReadOnlySession("a read-only session cannot write (use unit_of_work)")


def _refuse_writes(_connection, statement, *_args) -> None:
    if not getattr(statement, "is_select", False):  # textual SQL too: it cannot be told apart from a write
        raise ReadOnlySession("a read-only connection runs select() statements only (use unit_of_work)")


class ReadOnlySession(RuntimeError):
    """A write attempted in a session made for reading: a programming error, never a user's."""


PREPARE_AFTER = 5  # psycopg's default: prepare a statement on its fifth run


def _prepare_reads_only(connection: Connection) -> None:
    """psycopg prepares a statement after its fifth run, and PostgreSQL may then keep one generic plan for
    it. For `id = ANY(:ids)`, the writers' way of looking up a batch, that plan compares every row with
    every id, and one made while a table was young stays a sequential scan as the table grows, until the
    next ANALYZE, which slows a POST's duplicate check in a fresh database. So a connection
    that may write has its statements planned with their values, which costs a write little (few
    statements, each doing much); a read (make_read_engine) keeps its prepared plans."""
    reading = connection.get_execution_options().get("read_only", False)
    connection.connection.dbapi_connection.prepare_threshold = PREPARE_AFTER if reading else None


def _begin_sqlite(connection) -> None:
    read_only = connection.get_execution_options().get("read_only", False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _configure_sqlite(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _ensure_sqlite_dir(database_url: str) -> None:
    path = database_url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
