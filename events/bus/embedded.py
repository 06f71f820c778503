"""The embedded bus: the event log table read in `seq` order, offsets per consumer group.

One consumer process per group (the log has a single partition). On SQLite writers are
serialised, so `seq` order is commit order; on PostgreSQL `stage` takes a transaction
advisory lock for the same reason, so a reader never passes a row that commits later.
"""
from __future__ import annotations

import time

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from events.bus.base import BusUnavailable, Message, OutgoingMessage, next_offsets
from events.bus.log import append, bus_offsets, event_log, with_received_at

_PARTITION = 0
_LOG_LOCK = 7_310_201  # arbitrary constant naming "appending to the event log"


class EmbeddedBus:
    def __init__(self, engine: Engine):
        self._engine = engine
        self._sessions = sessionmaker(engine)

    def prepare(self, topics: list[str], partitions: int) -> None:
        pass

    def stage(self, session: Session, messages: list[OutgoingMessage]) -> None:
        if messages and session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOG_LOCK})
        append(session, messages)

    def consumer(self, group_id: str, topics: list[str]) -> "EmbeddedConsumer":
        return EmbeddedConsumer(self._sessions, group_id, topics)

    def producer(self) -> "EmbeddedProducer":
        return EmbeddedProducer(self)

    def reset_offsets(self, group_id: str, topics: list[str]) -> None:
        with self._sessions.begin() as session:
            session.execute(bus_offsets.delete().where(bus_offsets.c.group_id == group_id,
                                                       bus_offsets.c.topic.in_(topics)))

    def ping(self) -> None:
        try:
            with self._engine.connect() as connection:
                connection.execute(select(1))
        except OperationalError as error:
            raise BusUnavailable(str(error)) from error

    def close(self) -> None:
        pass


class EmbeddedProducer:
    def __init__(self, bus: EmbeddedBus):
        self._bus = bus

    def send(self, message: OutgoingMessage) -> None:
        with self._bus._sessions.begin() as session:
            self._bus.stage(session, [message])

    def flush(self, timeout_s: float = 30.0) -> None:
        pass

    def close(self) -> None:
        pass


class EmbeddedConsumer:
    def __init__(self, sessions: sessionmaker, group_id: str, topics: list[str]):
        self._sessions = sessions
        self._group_id = group_id
        self._topics = topics
        self._position: dict[str, int] | None = None

    def poll(self, max_records: int, timeout_ms: int) -> list[Message]:
        messages = self._read(max_records)
        if not messages:
            time.sleep(timeout_ms / 1000)  # like Kafka's poll: wait a little when there is nothing
        return messages

    def _read(self, max_records: int) -> list[Message]:
        with self._sessions() as session:
            if self._position is None:
                self._position = self._committed(session)
            messages: list[Message] = []
            for topic in self._topics:
                rows = session.execute(
                    select(event_log.c.seq, event_log.c.key, event_log.c.value, event_log.c.headers,
                           event_log.c.created_at)
                    .where(event_log.c.topic == topic, event_log.c.seq >= self._position[topic])
                    .order_by(event_log.c.seq)
                    .limit(max_records - len(messages))
                ).all()
                messages.extend(
                    Message(topic, _PARTITION, row.seq, row.key, bytes(row.value),
                            with_received_at(row.headers, row.created_at))
                    for row in rows
                )
                if rows:
                    self._position[topic] = rows[-1].seq + 1
        return messages

    def commit(self, messages: list[Message]) -> None:
        offsets = next_offsets(messages)
        if not offsets:
            return
        with self._sessions.begin() as session:
            for (topic, partition), offset in offsets.items():
                _upsert_offset(session, self._group_id, topic, partition, offset)

    def rewind(self) -> None:
        """Forget the read position: the next poll starts again at the committed offsets."""
        self._position = None

    def settled(self) -> bool:
        return True  # no group to join: one reader per group, by its offsets row

    def lag(self) -> dict[tuple[str, int], int]:
        if self._position is None:
            return {}
        with self._sessions() as session:
            ends = dict(session.execute(
                select(event_log.c.topic, func.max(event_log.c.seq)).where(event_log.c.topic.in_(self._topics))
                .group_by(event_log.c.topic)).all())
        return {(t, _PARTITION): max(0, (ends.get(t) or 0) + 1 - self._position[t]) for t in self._topics}

    def close(self) -> None:
        pass

    def _committed(self, session: Session) -> dict[str, int]:
        rows = session.execute(
            select(bus_offsets.c.topic, bus_offsets.c.next_offset).where(
                bus_offsets.c.group_id == self._group_id, bus_offsets.c.partition == _PARTITION
            )
        ).all()
        committed = {row.topic: row.next_offset for row in rows}
        return {topic: committed.get(topic, 0) for topic in self._topics}


def _upsert_offset(session: Session, group_id: str, topic: str, partition: int, offset: int) -> None:
    key = {"group_id": group_id, "topic": topic, "partition": partition}
    updated = session.execute(
        bus_offsets.update().filter_by(**key).values(next_offset=offset)
    ).rowcount
    if not updated:
        session.execute(bus_offsets.insert().values(**key, next_offset=offset))
