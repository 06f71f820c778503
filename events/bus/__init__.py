"""The bus: Kafka or the embedded event log, behind one interface."""
from __future__ import annotations

from sqlalchemy import Engine

from events.bus.base import MAX_VALUE_BYTES, Bus, BusUnavailable, Consumer, Message, OutgoingMessage, Producer


def open_bus(kind: str, *, engine: Engine, kafka_bootstrap_servers: str = "",
             kafka_session_timeout_ms: int = 10_000, kafka_replication_factor: int = 1,
             kafka_min_insync_replicas: int = 1) -> Bus:
    """The bus named by `kind` ("embedded" or "kafka"); nothing connects until it is used."""
    if kind == "embedded":
        from events.bus.embedded import EmbeddedBus

        return EmbeddedBus(engine)
    if kind == "kafka":
        from events.bus.kafka import KafkaBus

        return KafkaBus(kafka_bootstrap_servers, session_timeout_ms=kafka_session_timeout_ms,
                        replication=kafka_replication_factor, min_insync_replicas=kafka_min_insync_replicas)
    raise ValueError(f"unknown bus {kind!r}")


__all__ = ["MAX_VALUE_BYTES", "Bus", "BusUnavailable", "Consumer", "Message", "OutgoingMessage", "Producer", "open_bus"]
