"""The durable event log table: the outbox for Kafka, and the embedded bus itself.

Defined with SQLAlchemy Core on its own MetaData so that `events/` needs nothing of `app/`;
Alembic migrates it together with the application's tables.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    insert,
    text,
)
from sqlalchemy.orm import Session

from events.bus.base import OutgoingMessage

metadata = MetaData()

_seq = BigInteger().with_variant(Integer(), "sqlite")

event_log = Table(
    "event_log",
    metadata,
    Column("seq", _seq, autoincrement=True),
    Column("topic", String(200), nullable=False),
    Column("key", String(200)),
    Column("value", LargeBinary, nullable=False),
    Column("headers", JSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True)),
    PrimaryKeyConstraint("seq", name="pk_event_log"),
    Index("ix_event_log_topic_seq", "topic", "seq"),
    Index(
        "ix_event_log_unpublished", "seq",
        postgresql_where=text("published_at IS NULL"), sqlite_where=text("published_at IS NULL"),
    ),
    # The purge of published rows finds the old ones by it; BRIN: rows come in time order, and it costs ~nothing.
    Index("ix_event_log_created_at", "created_at", postgresql_using="brin"),
)

bus_offsets = Table(
    "bus_offsets",
    metadata,
    Column("group_id", String(200), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("next_offset", BigInteger, nullable=False),
    PrimaryKeyConstraint("group_id", "topic", "partition", name="pk_bus_offsets"),
)


# When the API (or whoever staged it) took a message in, in whole milliseconds since the epoch: the relay and the
# embedded bus add it from `created_at`, and a message that already carries it (a dead letter sent back) keeps it.
# The consumers park what was taken in before the oldest dedupe key they may have purged (app/ledger/retention.py).
RECEIVED_AT_HEADER = "stablework-received-at"


def with_received_at(headers: dict[str, str] | None, created_at: datetime) -> dict[str, str]:
    """`headers` with the time the message was taken in, unless they name it already."""
    if headers and RECEIVED_AT_HEADER in headers:
        return headers
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)  # SQLite hands back our UTC timestamps without their zone
    return {**(headers or {}), RECEIVED_AT_HEADER: str(int(created_at.timestamp() * 1000))}


def received_at_ms(headers: dict[str, str]) -> int | None:
    """The message's intake time in milliseconds since the epoch, or None if it does not say (or says nonsense)."""
    raw = headers.get(RECEIVED_AT_HEADER)
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def append(session: Session, messages: list[OutgoingMessage]) -> None:
    """Insert messages into the log inside the caller's transaction, in their order (`seq` follows it)."""
    if not messages:
        return
    now = datetime.now(UTC)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # COPY: a multi-row INSERT's parameters are the costly part of writing a batch POST's rows.
        # Its own few lines, not app.db.rows.insert_rows: events/ sits below app/ and may not import it.
        with connection.connection.dbapi_connection.cursor() as cursor:
            with cursor.copy("COPY event_log (topic, key, value, headers, created_at) FROM STDIN") as copy:
                for m in messages:
                    copy.write_row((m.topic, m.key, m.value, json.dumps(m.headers) if m.headers else None, now))
        return
    session.execute(
        insert(event_log),
        [
            {"topic": m.topic, "key": m.key, "value": m.value, "headers": m.headers or None,
             "created_at": now}
            for m in messages
        ],
    )
