"""The test infrastructure itself: a real Kafka broker and a real PostgreSQL server."""

from __future__ import annotations

import time
import uuid
from collections import defaultdict

import psycopg
import pytest
import sqlalchemy as sa
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaTimeoutError
from kafka.serializer import DefaultSerializer, JsonSerializer

from infra.postgres import PostgresError, libpq_url

N_MESSAGES = 100
N_PARTITIONS = 4
KEYS = [f"worker-{i:02d}" for i in range(10)]


# ------------------------------------------------------------------ kafka helpers


def _admin(broker) -> KafkaAdminClient:
    return KafkaAdminClient(bootstrap_servers=broker.bootstrap, client_id="test-infra-admin")


def _create_topic(broker, partitions: int = N_PARTITIONS) -> str:
    topic = f"test-infra-{uuid.uuid4().hex[:10]}"
    admin = _admin(broker)
    try:
        admin.create_topics(
            {topic: {"num_partitions": partitions, "replication_factor": 1}},
            wait_for_metadata=True,
        )
        (described,) = admin.describe_topics([topic])
        assert len(described["partitions"]) == partitions
    finally:
        admin.close()
    return topic


def _produce(broker, topic: str, start: int, count: int) -> dict[str, set[int]]:
    """Send ``count`` keyed JSON messages; returns the partitions each key went to."""
    producer = KafkaProducer(
        bootstrap_servers=broker.bootstrap,
        key_serializer=DefaultSerializer(),
        value_serializer=JsonSerializer(),
        acks="all",
        linger_ms=5,
    )
    try:
        futures = []
        for seq in range(start, start + count):
            key = KEYS[seq % len(KEYS)]
            futures.append((key, producer.send(topic, key=key, value={"seq": seq, "key": key})))
        producer.flush(timeout=30)
        partitions_by_key: dict[str, set[int]] = defaultdict(set)
        for key, future in futures:
            partitions_by_key[key].add(future.get(timeout=30).partition)
    finally:
        producer.close(timeout=10)
    return partitions_by_key


def _consumer(broker, topic: str, group: str) -> KafkaConsumer:
    return KafkaConsumer(
        topic,
        bootstrap_servers=broker.bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        key_deserializer=DefaultSerializer(),
        value_deserializer=JsonSerializer(),
        session_timeout_ms=10000,
        heartbeat_interval_ms=1000,
    )


def _consume(consumer: KafkaConsumer, expected: int, timeout: float = 60.0) -> list:
    records = []
    deadline = time.monotonic() + timeout
    while len(records) < expected and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            records.extend(batch)
    return records


def _committed_total(broker, group: str, topic: str) -> int:
    admin = _admin(broker)
    try:
        offsets = admin.list_group_offsets(group)[group]
    finally:
        admin.close()
    return sum(meta.offset for tp, meta in offsets.items() if tp.topic == topic)


# ----------------------------------------------------------------- kafka tests


@pytest.mark.kafka
def test_kafka_keyed_messages_round_trip_with_manual_commit(kafka_broker):
    topic = _create_topic(kafka_broker)
    group = f"test-infra-{uuid.uuid4().hex[:8]}"

    partitions_by_key = _produce(kafka_broker, topic, 0, N_MESSAGES)
    # The default partitioner keeps a key on one partition.
    assert all(len(parts) == 1 for parts in partitions_by_key.values())

    consumer = _consumer(kafka_broker, topic, group)
    try:
        records = _consume(consumer, N_MESSAGES)
        assert len(records) == N_MESSAGES
        consumer.commit()
        tps = [TopicPartition(topic, p) for p in range(N_PARTITIONS)]
        committed = {tp.partition: consumer.committed(tp) or 0 for tp in tps}
    finally:
        consumer.close(autocommit=False)

    assert sorted(r.value["seq"] for r in records) == list(range(N_MESSAGES))
    seqs_by_key = defaultdict(list)
    for r in records:
        assert r.key == r.value["key"]
        assert {r.partition} == partitions_by_key[r.key]
        seqs_by_key[r.key].append(r.value["seq"])
    # Order is kept per key (per partition).
    assert all(seqs == sorted(seqs) for seqs in seqs_by_key.values())
    # With 10 keys over 4 partitions, more than one partition is used.
    assert len({r.partition for r in records}) > 1
    assert sum(committed.values()) == N_MESSAGES
    assert _committed_total(kafka_broker, group, topic) == N_MESSAGES


@pytest.mark.kafka
def test_kafka_committed_offsets_survive_broker_restart(kafka_broker):
    topic = _create_topic(kafka_broker)
    group = f"test-infra-{uuid.uuid4().hex[:8]}"
    _produce(kafka_broker, topic, 0, N_MESSAGES)
    consumer = _consumer(kafka_broker, topic, group)
    try:
        assert len(_consume(consumer, N_MESSAGES)) == N_MESSAGES
        consumer.commit()
    finally:
        consumer.close(autocommit=False)
    bootstrap = kafka_broker.bootstrap

    kafka_broker.stop()
    assert not kafka_broker.is_running()
    kafka_broker.start()

    assert kafka_broker.bootstrap == bootstrap  # same ports, same data dir
    assert _committed_total(kafka_broker, group, topic) == N_MESSAGES
    # The group resumes after its committed offsets: only the new messages arrive.
    _produce(kafka_broker, topic, N_MESSAGES, 10)
    consumer = _consumer(kafka_broker, topic, group)
    try:
        records = _consume(consumer, 10)
        records += _consume(consumer, 1, timeout=2.0)  # nothing more may come
        consumer.commit()
    finally:
        consumer.close(autocommit=False)
    assert sorted(r.value["seq"] for r in records) == list(range(N_MESSAGES, N_MESSAGES + 10))
    assert _committed_total(kafka_broker, group, topic) == N_MESSAGES + 10


@pytest.mark.kafka
def test_kafka_topics_are_not_auto_created(kafka_broker):
    admin = _admin(kafka_broker)
    try:
        assert "no-such-topic-for-infra" not in admin.list_topics()
    finally:
        admin.close()
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap, max_block_ms=2000)
    try:
        # The producer waits for metadata of a topic that never appears.
        with pytest.raises(KafkaTimeoutError):
            producer.send("no-such-topic-for-infra", b"x").get(timeout=5)
    finally:
        producer.close(timeout=5)


# -------------------------------------------------------------- postgres tests


@pytest.mark.postgres
def test_pg_url_is_a_fresh_empty_database(pg_url, postgres_server):
    assert pg_url.startswith("postgresql+psycopg://")
    assert pg_url != postgres_server.url
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(sa.text(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            )).scalar_one()
            assert tables == 0
            assert conn.execute(sa.text("SHOW server_encoding")).scalar_one() == "UTF8"
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_row_survives_restart(pg_url, postgres_server):
    engine = sa.create_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE wage_event (id serial PRIMARY KEY, worker text NOT NULL, "
                                 "amount_paise bigint NOT NULL)"))
            conn.execute(sa.text("INSERT INTO wage_event (worker, amount_paise) VALUES (:w, :a)"),
                         {"w": "Sunita Devi", "a": 34500})
    finally:
        engine.dispose()  # the pool's connections would not survive the restart

    if postgres_server.is_external:
        with pytest.raises(PostgresError, match="DATABASE_URL"):
            postgres_server.restart()
    else:
        postgres_server.restart()
        assert postgres_server.is_running()

    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT worker, amount_paise FROM wage_event")).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [("Sunita Devi", 34500)]


@pytest.mark.postgres
def test_postgres_create_database_gives_independent_databases(postgres_server):
    url = postgres_server.create_database("t_infra_extra")
    try:
        with psycopg.connect(libpq_url(url)) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == ("t_infra_extra",)
            conn.execute("CREATE TABLE only_here (x int)")
        # replace=True (the default) gives an empty database again.
        url = postgres_server.create_database("t_infra_extra")
        with psycopg.connect(libpq_url(url)) as conn:
            assert conn.execute("SELECT to_regclass('only_here')").fetchone() == (None,)
    finally:
        postgres_server.drop_database("t_infra_extra")
