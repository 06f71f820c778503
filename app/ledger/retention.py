"""Retention of the intake, outbox and dedupe stores, and the rule that keeps redeliveries and replays harmless
(docs/architecture.md: Retention).

An event's id is kept EVENT_RETENTION_DAYS in `received_events` (the API's answer to a retried request) and in
`processed_events` (the consumers' dedupe keys). A purge deletes the ids older than its cutoff and, in the same
transaction, raises that store's horizon to the cutoff, so every purged id was recorded before its store's horizon.
What may have lost its id is then refused instead of being taken for new:

- the API refuses an event it holds no receipt of whose `time` is before the intake horizon and a day's grace, and
  any such event whose `time` is more than a day ahead of now: an event's time never runs more than a day past its
  receipt, so a retry of a purged receipt is always refused;
- the consumers park a message taken in (its `stablework-received-at`, events/bus/log.py; another producer's, its
  record time, capped a day past the event's time: `taken_in_ms`) before the dedupe horizon and a clock allowance:
  a key is recorded after its message was taken in, so a redelivery of a purged key is always parked, never
  applied again.

A rebuild empties `processed_events` and forgets its horizon in one transaction: every event is new again, and the
keys it writes are younger than any cutoff for EVENT_RETENTION_DAYS. The outbox's published rows go after
OUTBOX_KEEP_PUBLISHED_HOURS (Kafka's topic holds them); an unpublished row never goes, nor any row of the embedded
bus, whose log is the topic the rebuild reads.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import ColumnElement, Table, delete, select
from sqlalchemy.orm import Session, sessionmaker

from app.db.audit import SUMMARISED, record_summary
from app.db.models import ProcessedEvent, ReceivedEvent, RetentionHorizon
from app.settings import Settings
from events.bus import Message
from events.bus.log import event_log, received_at_ms

log = structlog.get_logger("app.ledger.retention")

INTAKE = ReceivedEvent.__tablename__
DEDUPE = ProcessedEvent.__tablename__
GRACE = timedelta(days=1)  # how far an event's `time` may run ahead of now (a device's clock a day fast)
CLOCK_ALLOWANCE = timedelta(hours=1)  # the API's and the consumers' clocks may disagree by less than this


@dataclass(frozen=True)
class Purged:
    received: int = 0
    processed: int = 0
    published: int = 0


def horizon(session: Session, store: str) -> datetime | None:
    """Before when `store` may have lost ids, or None if it has lost none."""
    moment = session.scalar(select(RetentionHorizon.horizon).where(RetentionHorizon.store == store))
    return _aware(moment) if moment is not None else None


def event_time_problem(event_time: datetime, intake_horizon: datetime | None, now: datetime) -> str | None:
    """Why the API must refuse an event of this `time`, or None."""
    if event_time > now + GRACE:
        return "is more than a day ahead of now: an event is sent once it is made"
    if intake_horizon is not None and event_time < intake_horizon + GRACE:
        return (f"is before {intake_horizon + GRACE:%Y-%m-%d %H:%M} UTC, older than the receipts kept to answer "
                "a retry (EVENT_RETENTION_DAYS): an event is sent within that time of being made")
    return None


def dedupe_cutoff_ms(session: Session) -> int | None:
    """Messages taken in before this (milliseconds since the epoch) may have lost their dedupe key; None: none has."""
    moment = horizon(session, DEDUPE)
    if moment is None:
        return None
    return int((moment + CLOCK_ALLOWANCE).timestamp() * 1000)


def taken_in_ms(message: Message, event_time: datetime) -> int:
    """When the message was taken in, in milliseconds since the epoch: as our intake says (its header); for another
    producer's message, the broker's record time, but no later than a day past the event's own time, so that an old
    event sent again as a new record is as old as it says (0 when neither is known: parked once anything is purged)."""
    stated = received_at_ms(message.headers)
    if stated is not None:
        return stated
    if message.timestamp_ms is None:
        return 0
    return min(message.timestamp_ms, int((_aware(event_time) + GRACE).timestamp() * 1000))


def forget_dedupe_horizon(session: Session) -> None:
    """With `processed_events` emptied (a rebuild), no key is missing any more."""
    session.execute(delete(RetentionHorizon).where(RetentionHorizon.store == DEDUPE))


def purge(sessions: sessionmaker, settings: Settings, now: datetime | None = None,
          stop: threading.Event | None = None) -> Purged:
    """Delete what the retention rule lets go, `settings.retention_purge_batch` rows a transaction."""
    now = now or datetime.now(UTC)
    keys_cutoff = now - timedelta(days=settings.event_retention_days)
    batch, stop = settings.retention_purge_batch, stop or threading.Event()
    received = _purge(sessions, ReceivedEvent.__table__, ReceivedEvent.__table__.c.event_id,
                      [ReceivedEvent.__table__.c.received_at < keys_cutoff], batch, stop, INTAKE, keys_cutoff)
    processed = _purge(sessions, ProcessedEvent.__table__, ProcessedEvent.__table__.c.event_id,
                       [ProcessedEvent.__table__.c.processed_at < keys_cutoff], batch, stop, DEDUPE, keys_cutoff)
    published = 0
    if settings.bus != "embedded":  # the embedded bus's log is its topic: a rebuild reads it from the start
        log_cutoff = now - timedelta(hours=settings.outbox_keep_published_hours)
        published = _purge(sessions, event_log, event_log.c.seq,
                           # created_at first: published_at has no index, and a row is made before it is published
                           [event_log.c.created_at < log_cutoff, event_log.c.published_at < log_cutoff],
                           batch, stop)
    if received or processed or published:
        log.info("retention purge", received=received, processed=processed, published=published)
    return Purged(received, processed, published)


def _purge(sessions: sessionmaker, table: Table, key: ColumnElement, where: list[ColumnElement], batch: int,
           stop: threading.Event, store: str | None = None, cutoff: datetime | None = None) -> int:
    total = 0
    while not stop.is_set():
        with sessions.begin() as session:
            chosen = select(key).where(*where).limit(batch).scalar_subquery()
            deleted = session.execute(delete(table).where(key.in_(chosen)),
                                      execution_options=SUMMARISED).rowcount
            if deleted and store is not None:
                _raise_horizon(session, store, cutoff)
            if deleted and table is ReceivedEvent.__table__:
                record_summary(session, "delete", table.name, f"retention/{deleted} receipts", None, None,
                               {"received_before": cutoff.isoformat(), "rows": deleted})
        total += deleted
        if deleted < batch:
            return total
    return total


def _raise_horizon(session: Session, store: str, cutoff: datetime) -> None:
    """In the transaction that deletes the ids: a reader sees both or neither."""
    row = session.get(RetentionHorizon, store, with_for_update=True)
    if row is None:
        session.add(RetentionHorizon(store=store, horizon=cutoff))
    elif _aware(row.horizon) < cutoff:
        row.horizon = cutoff
    session.flush()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # SQLite keeps no zone
