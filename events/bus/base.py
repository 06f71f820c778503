"""What every bus offers: consumers that poll and commit, producers that send, a staging outbox."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session

# The largest value sure to fit a message under Kafka's default message limit, its framing aside: a larger one
# can reach a topic whose limit was raised, but the relay's copy of it would be refused for ever.
MAX_VALUE_BYTES = 1_000_000


class BusUnavailable(RuntimeError):
    """The bus cannot be reached now; retry later."""


@dataclass(frozen=True)
class Message:
    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)
    timestamp_ms: int | None = None  # the broker's record time (Kafka's CreateTime or LogAppendTime), if it has one


@dataclass(frozen=True)
class OutgoingMessage:
    topic: str
    key: str | None
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)


class Consumer(Protocol):
    def poll(self, max_records: int, timeout_ms: int) -> list[Message]: ...

    def commit(self, messages: list[Message]) -> None:
        """Commit, per partition, the offset after the last of `messages`."""

    def rewind(self) -> None:
        """Read again from the committed offsets (after a failed batch)."""

    def lag(self) -> dict[tuple[str, int], int]:
        """Messages between the read position and the end, per (topic, partition) held."""

    def settled(self) -> bool:
        """Whether the consumer is a settled member of its group (not joining or rebalancing)."""

    def close(self) -> None: ...


class Producer(Protocol):
    def send(self, message: OutgoingMessage) -> None: ...

    def flush(self, timeout_s: float = 30.0) -> None: ...

    def close(self) -> None: ...


class Bus(Protocol):
    def prepare(self, topics: list[str], partitions: int) -> None:
        """Make sure the topics exist (Kafka); nothing to do for the embedded log."""

    def stage(self, session: Session, messages: list[OutgoingMessage]) -> None:
        """Write messages in the caller's transaction: they go out if and only if it commits."""

    def consumer(self, group_id: str, topics: list[str]) -> Consumer: ...

    def producer(self) -> Producer: ...

    def reset_offsets(self, group_id: str, topics: list[str]) -> None:
        """Send `group_id` back to the start of `topics` (its consumers must be stopped)."""

    def ping(self) -> None:
        """Raise BusUnavailable unless the bus answers now."""

    def close(self) -> None: ...


def next_offsets(messages: list[Message]) -> dict[tuple[str, int], int]:
    """The offset to commit per (topic, partition): one past the last message seen."""
    offsets: dict[tuple[str, int], int] = {}
    for message in messages:
        key = (message.topic, message.partition)
        offsets[key] = max(offsets.get(key, 0), message.offset + 1)
    return offsets
