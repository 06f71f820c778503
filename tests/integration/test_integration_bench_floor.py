"""The bench's raw floor reads a whole topic even when a kafka-python client stops reading partway: the stalled
client is replaced at the positions it reached, every message is read once, and the stalled seconds are left
out of the rate."""
from __future__ import annotations

import time
import uuid
from collections import Counter

from kafka import KafkaProducer

from bench.kafka_pipeline import consume_floor, create_topic, floor_client

MESSAGES = 3000
PARTITIONS = 3


class StallsAfter:
    """A floor client that hands on what it polls until `limit` records, then returns nothing, as kafka-python
    3.0 did at 4.7 million of a 10M topic. `limit=None` never stalls."""

    def __init__(self, consumer, limit: int | None, read: Counter):
        self.consumer, self.limit, self.read = consumer, limit, read
        self.handed = 0

    def poll(self, timeout_ms: int, max_records: int) -> dict:
        if self.limit is not None and self.handed >= self.limit:
            time.sleep(timeout_ms / 1000)
            return {}
        batches = self.consumer.poll(timeout_ms=timeout_ms, max_records=max_records)
        for partition, records in batches.items():
            self.read.update((partition.partition, r.offset) for r in records)
            self.handed += len(records)
        return batches

    def close(self) -> None:
        self.consumer.close()


def test_the_floor_replaces_a_stalled_client_and_reads_every_message_once(kafka_broker):
    topic = f"bench-floor-{uuid.uuid4().hex[:8]}"
    create_topic(kafka_broker.bootstrap, topic, partitions=PARTITIONS)
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap, acks="all")
    for n in range(MESSAGES):
        producer.send(topic, key=f"worker-{n % 97}".encode(), value=b"{}")
    producer.flush()
    producer.close()

    read: Counter = Counter()
    clients: list[StallsAfter] = []

    def client(bootstrap, topic_name, positions):
        limit = 1000 if not clients else None  # the first stalls a third of the way in; its successor reads on
        clients.append(StallsAfter(floor_client(bootstrap, topic_name, dict(positions)), limit, read))
        return clients[-1]

    result = consume_floor(kafka_broker.bootstrap, topic, MESSAGES, stall_after_s=1.0, client=client)

    assert result["messages"] == MESSAGES
    assert result["replaced_clients"] == 1 and len(clients) == 2
    assert sum(read.values()) == MESSAGES, "a message was read twice, or one was skipped"
    assert max(read.values()) == 1
    assert len({partition for partition, _ in read}) == PARTITIONS
    assert result["stalled_seconds"] > 1.0
    assert result["seconds"] < result["wall_seconds"] - result["stalled_seconds"] + 0.01
