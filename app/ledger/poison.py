"""A batch the database refuses for good is split until the message that causes it is found and parked, so no
one message can stop a partition; a failure of the database itself (connection lost) is left to the loop's retry."""
from __future__ import annotations

import sqlite3
from dataclasses import fields

import psycopg
import structlog
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session

from app.ledger.batch import BatchResult, process_batch
from app.ledger.checks import work_today
from app.ledger.dead_letters import park, preview
from app.runtime import Runtime
from events.bus import Message

log = structlog.get_logger("consumers.wages")

# What the data, not the database's state, is at fault for: retrying the same message fails the same way. The
# driver's own classes too, for the writes that go through its COPY rather than through SQLAlchemy.
_REFUSALS = (psycopg.DataError, psycopg.IntegrityError, sqlite3.DataError, sqlite3.IntegrityError, UnicodeError)


def apply_messages(runtime: Runtime, messages: list[Message]) -> BatchResult:
    """Apply `messages` in one transaction; if the database refuses them, each half in its own, down to the
    message it refuses, which is parked with the database's reason."""
    try:
        with runtime.sessions.begin() as session:
            look_up_keys_by_index(session)
            return process_batch(session, runtime.bus, runtime.settings.topic_dead_letters, messages,
                                 work_today(runtime.settings))
    except (StatementError, *_REFUSALS) as error:
        if not refused(error):
            raise
        if len(messages) == 1:
            return _park_refused(runtime, messages[0], error)
        log.warning("the database refused a batch; splitting it to find the message", messages=len(messages),
                    error=_reason(error))
        middle = len(messages) // 2
        return _sum(apply_messages(runtime, messages[:middle]), apply_messages(runtime, messages[middle:]))


def look_up_keys_by_index(session: Session) -> None:
    """For this batch's transaction: its statements look up a couple of thousand keys in tables that have an
    index on them. While a table holds some 10^5 to 10^6 rows PostgreSQL's costing prefers reading all of it
    to that many index probes, so every batch read whole tables and a day's batches cost more the more the day
    had stored; by index a batch costs the same whatever the tables hold. (Only the plan changes, never a row.)"""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL enable_seqscan = off"))


def refused(error: Exception) -> bool:
    """Whether `error` is the database refusing these data for good: a value or constraint it rejects, or a
    value that could not even be sent to it (text it cannot encode)."""
    if isinstance(error, DBAPIError):
        return isinstance(error.orig, _REFUSALS)
    return isinstance(error, (StatementError, *_REFUSALS))  # a StatementError of no driver: not sent at all


def _park_refused(runtime: Runtime, message: Message, error: Exception) -> BatchResult:
    result = BatchResult()
    with runtime.sessions.begin() as session:
        parked = park(session, runtime.bus, runtime.settings.topic_dead_letters, message,
                      f"the database refused it: {_reason(error)}")
    log.warning("message parked: the database refused it", topic=message.topic, partition=message.partition,
                offset=message.offset, error=_reason(error))
    result.consumed["refused"] += 1
    result.dead_lettered["refused"] += parked
    return result


def _reason(error: Exception) -> str:
    """The database's own words, without the statement and its parameters (the message's data)."""
    cause = getattr(error, "orig", None) or error
    return preview(f"{type(cause).__name__}: {cause}".encode(errors="backslashreplace"), 500)


def _sum(first: BatchResult, second: BatchResult) -> BatchResult:
    return BatchResult(**{f.name: getattr(first, f.name) + getattr(second, f.name) for f in fields(BatchResult)})
