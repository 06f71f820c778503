"""The Kafka bus (kafka-python): keyed by worker id, manual commits, outbox staging.

The API never talks to Kafka: `stage` writes to the event log (the outbox) in the caller's
transaction and the relay publishes it, so a 202 never depends on the broker being up.
"""
from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata, TopicPartition
from sqlalchemy.orm import Session

from events.bus.base import BusUnavailable, Message, OutgoingMessage, next_offsets
from events.bus.log import append

# A consumer's call to the broker gives up after this, well within kafka-python's request timeout, so an outage
# soon reaches the consumer's loop, its log and its gauge; the loop retries the call.
CALL_TIMEOUT_MS = 5_000


@contextmanager
def _mapped_errors() -> Iterator[None]:
    """Every kafka-python error is BusUnavailable, so no bus call can end a consumer or the relay."""
    try:
        yield
    except KafkaError as error:
        raise BusUnavailable(str(error)) from error


class KafkaBus:
    def __init__(self, bootstrap_servers: str, client_id: str = "stablework", replication: int = 1,
                 session_timeout_ms: int = 10_000, min_insync_replicas: int = 1):
        self._bootstrap = bootstrap_servers.split(",")
        self._client_id = client_id
        self._replication = replication
        self._min_insync_replicas = min_insync_replicas
        self._session_timeout_ms = session_timeout_ms

    def stage(self, session: Session, messages: list[OutgoingMessage]) -> None:
        append(session, messages)

    def consumer(self, group_id: str, topics: list[str]) -> "KafkaBusConsumer":
        return KafkaBusConsumer(self._bootstrap, self._client_id, group_id, topics, self._session_timeout_ms)

    def producer(self) -> "KafkaBusProducer":
        return KafkaBusProducer(self._bootstrap, self._client_id)

    def prepare(self, topics: list[str], partitions: int) -> None:
        """Create missing topics. Events are kept forever: derived tables are rebuilt from them. With
        acks=all, a message is acknowledged once `min_insync_replicas` copies hold it."""
        admin = self._admin()
        configs = {"retention.ms": "-1", "min.insync.replicas": str(self._min_insync_replicas)}
        try:
            existing = set(admin.list_topics())
            missing = [NewTopic(t, partitions, self._replication, topic_configs=configs)
                       for t in topics if t not in existing]
            if missing:
                try:
                    # Bounded: relay and consumers start together and race to create the same topics.
                    admin.create_topics(missing, timeout_ms=10_000)
                except TopicAlreadyExistsError:
                    pass  # another process created it first
            _wait_for_partitions(admin, topics)
        except KafkaError as error:
            raise BusUnavailable(str(error)) from error
        finally:
            admin.close()

    def reset_offsets(self, group_id: str, topics: list[str]) -> None:
        try:
            consumer = KafkaConsumer(bootstrap_servers=self._bootstrap, client_id=self._client_id,
                                     group_id=group_id, enable_auto_commit=False)
            try:
                partitions = [TopicPartition(topic, p) for topic in topics
                              for p in sorted(consumer.partitions_for_topic(topic) or ())]
                consumer.assign(partitions)
                starts = consumer.beginning_offsets(partitions)
                consumer.commit({tp: OffsetAndMetadata(offset, "", -1) for tp, offset in starts.items()})
            finally:
                consumer.close(autocommit=False)
        except KafkaError as error:
            raise BusUnavailable(str(error)) from error

    def ping(self) -> None:
        """A TCP connection to any bootstrap broker: cheap enough for every /readyz probe."""
        for server in self._bootstrap:
            host, _, port = server.strip().rpartition(":")
            try:
                socket.create_connection((host.strip("[]"), int(port)), timeout=2).close()
                return
            except (OSError, ValueError):
                continue
        raise BusUnavailable(f"no Kafka broker reachable at {','.join(self._bootstrap)}")

    def close(self) -> None:
        pass

    def _admin(self) -> KafkaAdminClient:
        try:
            return KafkaAdminClient(
                bootstrap_servers=self._bootstrap, client_id=self._client_id, request_timeout_ms=5000
            )
        except KafkaError as error:
            raise BusUnavailable(str(error)) from error


class KafkaBusProducer:
    def __init__(self, bootstrap: list[str], client_id: str):
        try:
            self._producer = KafkaProducer(
                bootstrap_servers=bootstrap,
                client_id=client_id,
                acks="all",
                enable_idempotence=True,
                linger_ms=5,
                compression_type=None,
            )
        except KafkaError as error:
            raise BusUnavailable(str(error)) from error
        self._pending: list = []

    def send(self, message: OutgoingMessage) -> None:
        with _mapped_errors():  # a send waits for the topic's metadata, and gives up while the broker is down
            future = self._producer.send(
                message.topic,
                key=message.key.encode() if message.key is not None else None,
                value=message.value,
                headers=[(k, v.encode()) for k, v in message.headers.items()],
            )
        self._pending.append(future)

    def flush(self, timeout_s: float = 30.0) -> None:
        """Wait until every message sent so far is acknowledged by all in-sync replicas."""
        pending, self._pending = self._pending, []
        try:
            self._producer.flush(timeout=timeout_s)
        except KafkaError as error:
            raise BusUnavailable(str(error)) from error
        failed = next((f for f in pending if not f.is_done or f.failed()), None)
        if failed is not None:
            raise BusUnavailable(f"a message was not acknowledged: {failed.exception if failed.is_done else 'timeout'}")

    def close(self) -> None:
        with _mapped_errors():
            self._producer.close(timeout=5)


class KafkaBusConsumer:
    def __init__(self, bootstrap: list[str], client_id: str, group_id: str, topics: list[str],
                 session_timeout_ms: int):
        try:
            self._consumer = KafkaConsumer(
                *topics,
                bootstrap_servers=bootstrap,
                client_id=client_id,
                group_id=group_id,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                max_poll_interval_ms=300_000,
                session_timeout_ms=session_timeout_ms,
                heartbeat_interval_ms=max(1000, session_timeout_ms // 3),
            )
        except KafkaError as error:
            raise BusUnavailable(str(error)) from error

    def poll(self, max_records: int, timeout_ms: int) -> list[Message]:
        try:
            batches = self._consumer.poll(timeout_ms=timeout_ms, max_records=max_records)
        except KafkaError as error:
            raise BusUnavailable(str(error)) from error
        return [
            Message(
                record.topic, record.partition, record.offset,
                # Lossless: a key that is not UTF-8 is no worker id, but its dead letter keeps its very bytes.
                record.key.decode(errors="surrogateescape") if record.key is not None else None,
                record.value,
                # Not UTF-8: lone surrogates, which the envelope refuses by name (a binary-mode event's attributes).
                {k: v.decode(errors="surrogateescape") for k, v in (record.headers or [])},
                record.timestamp if record.timestamp is not None and record.timestamp >= 0 else None,
            )
            for records in batches.values()
            for record in records
        ]

    def commit(self, messages: list[Message]) -> None:
        offsets = {
            TopicPartition(topic, partition): OffsetAndMetadata(offset, "", -1)
            for (topic, partition), offset in next_offsets(messages).items()
        }
        if offsets:
            try:
                self._consumer.commit(offsets, timeout_ms=CALL_TIMEOUT_MS)
            except KafkaError as error:  # e.g. a rebalance took the partition: it is redelivered
                raise BusUnavailable(str(error)) from error

    def rewind(self) -> None:
        """Go back to the committed offsets, so uncommitted messages are read again."""
        try:
            for partition in self._consumer.assignment():
                committed = self._consumer.committed(partition, timeout_ms=CALL_TIMEOUT_MS)
                if committed is None:
                    self._consumer.seek_to_beginning(partition)
                else:
                    self._consumer.seek(partition, committed)
        except KafkaError as error:
            raise BusUnavailable(str(error)) from error

    def lag(self) -> dict[tuple[str, int], int]:
        lags = {}
        with _mapped_errors():  # position() asks the broker for a partition whose position is not known
            for partition in self._consumer.assignment():
                end = self._consumer.highwater(partition)
                if end is not None:
                    position = self._consumer.position(partition, timeout_ms=CALL_TIMEOUT_MS)
                    lags[(partition.topic, partition.partition)] = max(0, end - position)
        return lags

    def settled(self) -> bool:
        # kafka-python has no public call for this; its group coordinator keeps the member state.
        with _mapped_errors():
            return self._consumer._coordinator.stable()

    def close(self) -> None:
        with _mapped_errors():
            self._consumer.close(autocommit=False)


def _wait_for_partitions(admin: KafkaAdminClient, topics: list[str], seconds: float = 10.0) -> None:
    """Return once every topic's partitions show in the brokers' metadata: a consumer that joins its group before
    then is assigned nothing, and sees the topic only at its next metadata refresh, minutes later."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if all(topic.get("partitions") for topic in admin.describe_topics(topics)):
                return
        except KafkaError:
            pass  # not known to the broker asked yet
        if time.monotonic() > deadline:
            raise BusUnavailable(f"the topics {topics} have no partitions in the brokers' metadata after {seconds} s")
        time.sleep(0.1)
