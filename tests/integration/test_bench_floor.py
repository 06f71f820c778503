"""The bench's raw floor against the real broker: producing fails unless every message reached the topic (a
send only queues it: millions of a 10M-message day were once lost unnoticed), and the raw read takes
every message once, or says how many the topic holds."""
from __future__ import annotations

import uuid

import pytest
from kafka.admin import KafkaAdminClient, NewTopic

from bench.kafka_pipeline import consume_floor, create_topic, messages_on, produce, write_message

PARTITIONS = 3


def message_file(path, values: list[bytes]):
    with open(path, "wb") as out:
        for n, value in enumerate(values):
            write_message(out, f"worker-{n % 97}".encode(), value)
    return path


def test_the_floor_produces_and_reads_every_message(kafka_broker, tmp_path):
    topic = f"bench-floor-{uuid.uuid4().hex[:8]}"
    create_topic(kafka_broker.bootstrap, topic, partitions=PARTITIONS)
    path = message_file(tmp_path / "messages.bin", [b'{"n": %d}' % n for n in range(3000)])

    produced = produce(kafka_broker.bootstrap, topic, path, 3000)
    read = consume_floor(kafka_broker.bootstrap, topic, 3000)

    assert produced["messages"] == 3000 and messages_on(kafka_broker.bootstrap, topic) == 3000
    assert read["messages"] == 3000 and read["rate"] > 0


def test_producing_fails_when_the_broker_refuses_messages(kafka_broker, tmp_path):
    topic = f"bench-floor-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=kafka_broker.bootstrap)
    admin.create_topics([NewTopic(topic, PARTITIONS, 1, topic_configs={"max.message.bytes": "10000"})])
    admin.close()
    values = [b"x" * 20_000 if n % 20 == 0 else b"{}" for n in range(200)]  # 10 too large for the topic
    path = message_file(tmp_path / "messages.bin", values)

    # an idempotent producer aborts its other batches after such an error, so more than the 10 are lost
    with pytest.raises(RuntimeError, match=r"produced 200 messages, the topic holds \d+; failed sends: "
                                           r"{'MessageSizeTooLargeError"):
        produce(kafka_broker.bootstrap, topic, path, 200)
    assert messages_on(kafka_broker.bootstrap, topic) <= 190


def test_the_raw_read_says_how_many_the_topic_holds_when_it_falls_short(kafka_broker, tmp_path):
    topic = f"bench-floor-{uuid.uuid4().hex[:8]}"
    create_topic(kafka_broker.bootstrap, topic, partitions=PARTITIONS)
    produce(kafka_broker.bootstrap, topic, message_file(tmp_path / "messages.bin", [b"{}"] * 100), 100)

    with pytest.raises(RuntimeError, match="raw consume read 100 of 150 in 3 s; the topic holds 100"):
        consume_floor(kafka_broker.bootstrap, topic, 150, timeout_s=3)
