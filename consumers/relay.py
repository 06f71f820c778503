"""The outbox relay (Kafka only): publish event-log rows in `seq` order, then stamp them.

At least once: a crash between the broker's acknowledgement and the stamp publishes the
rows again, and the consumers drop the repeats by event id. Run one relay: a single
publisher keeps each worker's events in the order the API committed them.
"""
from __future__ import annotations

import threading

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError, OperationalError

from app import metrics
from app.db.models.types import utcnow
from app.db.queries import among
from app.runtime import Runtime
from consumers.outage import BusHealth
from events.bus import BusUnavailable, OutgoingMessage, Producer
from events.bus.log import event_log, with_received_at

log = structlog.get_logger("consumers.relay")

RELAY_BATCH = 1000
ACKNOWLEDGED_WITHIN_S = 10.0  # a batch the broker leaves unacknowledged this long is an outage, shown as one


def relay_once(runtime: Runtime, producer: Producer, batch: int = RELAY_BATCH) -> int:
    """Publish up to `batch` unpublished rows; return how many went out."""
    with runtime.sessions.begin() as session:
        query = (select(event_log.c.seq, event_log.c.topic, event_log.c.key, event_log.c.value, event_log.c.headers,
                        event_log.c.created_at)
                 .where(event_log.c.published_at.is_(None)).order_by(event_log.c.seq).limit(batch))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = session.execute(query).all()
        for row in rows:
            producer.send(OutgoingMessage(row.topic, row.key, bytes(row.value),
                                          with_received_at(row.headers, row.created_at)))
        producer.flush(ACKNOWLEDGED_WITHIN_S)
        if rows:
            session.execute(update(event_log).where(among(session, event_log.c.seq, [r.seq for r in rows]))
                            .values(published_at=utcnow()))
    return len(rows)


def outbox_backlog(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(event_log).where(event_log.c.published_at.is_(None)))


def run_relay(runtime: Runtime, stop: threading.Event) -> None:
    """Publish until stopped; a bus or database failure is retried with backoff, never the end of the relay."""
    producer = None
    backoff = 0.5
    health = BusHealth()
    log.info("relay started")
    while not stop.is_set():
        try:
            producer = producer or runtime.bus.producer()
            sent = relay_once(runtime, producer)
            if not sent:
                runtime.bus.ping()  # nothing was sent, so nothing has told whether the broker is there
            health.reached()
            metrics.OUTBOX_BACKLOG.set(outbox_backlog(runtime))
            backoff = 0.5
            if not sent:
                stop.wait(runtime.settings.consumer_poll_ms / 1000)
        except BusUnavailable as error:
            health.failed(error)
            stop.wait(backoff)
            backoff = min(backoff * 2, 10.0)
        except (OperationalError, DBAPIError) as error:
            log.warning("relay failed; will retry", error=str(error)[:500])
            stop.wait(backoff)
            backoff = min(backoff * 2, 10.0)
    if producer is not None:
        try:
            producer.close()
        except BusUnavailable as error:
            log.warning("closing the producer failed", error=str(error)[:500])
    log.info("relay stopped")
