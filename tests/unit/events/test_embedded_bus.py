"""The embedded bus: the event log table as a topic, read in order, offsets per consumer group."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from events.bus import OutgoingMessage
from events.bus.embedded import EmbeddedBus
from events.bus.log import received_at_ms

TOPIC = "test.work-events"
OTHER_TOPIC = "test.dead-letters"


def message(n: int, topic: str = TOPIC, key: str = "w-li") -> OutgoingMessage:
    return OutgoingMessage(topic, key, f'{{"n": {n}}}'.encode(), {"n": str(n)})


def values(messages) -> list[bytes]:
    return [m.value for m in messages]


def read_all(consumer, max_records: int = 100) -> list:
    return consumer.poll(max_records, 0)


def send(bus, *messages: OutgoingMessage) -> None:
    producer = bus.producer()
    for m in messages:
        producer.send(m)
    producer.flush()


@pytest.fixture
def bus(runtime):
    return runtime.bus


@pytest.fixture
def onlooker(runtime):
    """The same log seen through a second connection, as another process would see it.

    The runtime's engine opens every transaction with BEGIN IMMEDIATE (it queues writers), so a
    reader on it would wait for the open transaction under test; this engine reads without a lock.
    """
    engine = create_engine(runtime.settings.database_url)
    yield EmbeddedBus(engine)
    engine.dispose()


def test_the_runtime_bus_is_the_embedded_bus(runtime):
    assert isinstance(runtime.bus, EmbeddedBus)


def test_staged_messages_are_invisible_until_the_transaction_commits(runtime, bus, onlooker):
    with runtime.sessions.begin() as session:
        bus.stage(session, [message(1), message(2)])
        session.flush()
        assert read_all(onlooker.consumer("peek", [TOPIC])) == []

    assert values(read_all(onlooker.consumer("peek", [TOPIC]))) == [b'{"n": 1}', b'{"n": 2}']
    assert values(read_all(bus.consumer("wages", [TOPIC]))) == [b'{"n": 1}', b'{"n": 2}']


def test_staged_messages_are_gone_if_the_transaction_rolls_back(runtime, bus):
    with pytest.raises(RuntimeError, match="the unit of work failed"):
        with runtime.sessions.begin() as session:
            bus.stage(session, [message(1)])
            raise RuntimeError("the unit of work failed")

    assert read_all(bus.consumer("wages", [TOPIC])) == []


def test_a_message_keeps_its_topic_key_and_headers(bus):
    send(bus, message(1, key="w-wang"))

    [received] = read_all(bus.consumer("wages", [TOPIC]))

    assert (received.topic, received.partition, received.key) == (TOPIC, 0, "w-wang")
    assert received.headers["n"] == "1" and received_at_ms(received.headers) is not None  # and when it was taken in


def test_a_consumer_reads_in_order_and_in_batches_of_at_most_max_records(bus):
    send(bus, *(message(n) for n in range(5)))
    consumer = bus.consumer("wages", [TOPIC])

    first, second, third = consumer.poll(2, 0), consumer.poll(2, 0), consumer.poll(2, 0)

    assert values(first + second + third) == [f'{{"n": {n}}}'.encode() for n in range(5)]
    assert [len(first), len(second), len(third)] == [2, 2, 1]
    offsets = [m.offset for m in first + second + third]
    assert offsets == sorted(offsets) and len(set(offsets)) == 5
    assert consumer.poll(2, 0) == []


def test_commit_stores_the_next_offset_and_a_new_consumer_of_the_group_resumes_after_it(bus):
    send(bus, *(message(n) for n in range(4)))
    first = bus.consumer("wages", [TOPIC])
    batch = first.poll(3, 0)
    first.commit(batch[:2])
    first.close()

    resumed = read_all(bus.consumer("wages", [TOPIC]))

    assert values(resumed) == [b'{"n": 2}', b'{"n": 3}']
    assert resumed[0].offset == batch[1].offset + 1


def test_another_group_starts_from_the_beginning(bus):
    send(bus, *(message(n) for n in range(3)))
    wages = bus.consumer("wages", [TOPIC])
    wages.commit(read_all(wages))

    assert values(read_all(bus.consumer("audit", [TOPIC]))) == [b'{"n": 0}', b'{"n": 1}', b'{"n": 2}']
    assert read_all(bus.consumer("wages", [TOPIC])) == []


def test_committing_nothing_changes_nothing(bus):
    send(bus, message(0))
    consumer = bus.consumer("wages", [TOPIC])
    consumer.commit([])

    assert values(read_all(bus.consumer("wages", [TOPIC]))) == [b'{"n": 0}']


def test_rewind_rereads_the_messages_after_the_committed_offset(bus):
    send(bus, *(message(n) for n in range(3)))
    consumer = bus.consumer("wages", [TOPIC])
    batch = read_all(consumer)
    consumer.commit(batch[:1])
    assert read_all(consumer) == []  # the read position is past everything

    consumer.rewind()

    assert values(read_all(consumer)) == [b'{"n": 1}', b'{"n": 2}']


def test_rewind_without_any_commit_rereads_from_the_beginning(bus):
    send(bus, *(message(n) for n in range(2)))
    consumer = bus.consumer("wages", [TOPIC])
    read_all(consumer)

    consumer.rewind()

    assert values(read_all(consumer)) == [b'{"n": 0}', b'{"n": 1}']


def test_messages_sent_after_a_poll_are_read_by_the_next_poll(bus):
    consumer = bus.consumer("wages", [TOPIC])
    send(bus, message(0))
    assert values(read_all(consumer)) == [b'{"n": 0}']

    send(bus, message(1))

    assert values(read_all(consumer)) == [b'{"n": 1}']


def test_topics_are_separate(bus):
    send(bus, message(1, TOPIC), message(2, OTHER_TOPIC), message(3, TOPIC))

    assert values(read_all(bus.consumer("wages", [TOPIC]))) == [b'{"n": 1}', b'{"n": 3}']
    assert values(read_all(bus.consumer("wages", [OTHER_TOPIC]))) == [b'{"n": 2}']


def test_offsets_are_committed_per_topic(bus):
    send(bus, message(1, TOPIC), message(2, OTHER_TOPIC))
    both = bus.consumer("ops", [TOPIC, OTHER_TOPIC])
    batch = read_all(both)
    assert sorted(values(batch)) == [b'{"n": 1}', b'{"n": 2}']

    both.commit([m for m in batch if m.topic == TOPIC])

    assert values(read_all(bus.consumer("ops", [TOPIC, OTHER_TOPIC]))) == [b'{"n": 2}']


def test_the_embedded_bus_answers_a_ping(bus):
    bus.ping()
