"""Messages no code of ours wrote, on the real Kafka and PostgreSQL: whatever their bytes or key, each is applied
or parked, and none stops its partition."""
from __future__ import annotations

import hashlib
import json

from kafka import KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient
from sqlalchemy import select, text
from support.pipeline import processed, unpublished
from support.processes import wait_until
from support.scenario import build_scenario, register

from app.db.models import DeadLetter
from app.ledger.dead_letters import PAYLOAD_PREVIEW_CHARS, park
from app.ledger.rebuild import replay_dead_letters
from events.bus import MAX_VALUE_BYTES, Message
from events.bus.log import event_log

WORKER, SITE = "ws-tea-w1", "ws-tea"
MIB = 1 << 20


def attendance(n: int, worker: str = WORKER, site: str = SITE, day: int = 2) -> dict:
    return {"specversion": "1.0", "id": f"00000000-0000-4000-8000-{n:012d}", "type": "attendance.recorded",
            "source": "foreign", "time": f"2026-03-{day:02d}T18:00:00+08:00",
            "data": {"worker_id": worker, "site_id": site, "date": f"2026-03-{day:02d}", "status": "present"}}


def encoded(event: dict) -> bytes:
    return json.dumps(event).encode()


# Every one of these is parked: (key, value, the reason it is parked for).
POISON = [
    (WORKER.encode(), b"\xff\xfe\x00garbage", "invalid event"),
    (WORKER.encode(), b"\xc3\x28 invalid utf-8", "invalid event"),
    (WORKER.encode(), b'{"id": "\xed\xa0\x80 an encoded lone surrogate"}', "invalid event"),
    (WORKER.encode(), b'{"specversion": "1.0", "id": "\\ud800", "type": "attendance.recorded"}', "invalid event"),
    (WORKER.encode(), b"{" + b" " * MIB + b"}", "invalid event"),
    (WORKER.encode(), b"", "invalid event"),
    (WORKER.encode(), b"\x00" * 64, "invalid event"),
    (None, encoded(attendance(101, day=3)), "key is not the worker id"),
    (b"ws-tea-w1\x00", encoded(attendance(102, day=4)), "key is not the worker id"),
    (b"\xff\xfe", encoded(attendance(103, day=5)), "key is not the worker id"),
]


def test_no_message_stops_its_partition_whatever_its_bytes_or_key(api, runtime, settings, fleet, kafka_broker):
    register_tea(api)
    _allow_large_messages(settings)
    fleet.start("wages-1")
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap, max_request_size=2 * MIB)
    try:
        producer.send(settings.topic_work_events, key=WORKER.encode(), value=encoded(attendance(1, day=2)))
        for key, value, _ in POISON:
            producer.send(settings.topic_work_events, key=key, value=value)
        producer.send(settings.topic_work_events, key=WORKER.encode(), value=encoded(attendance(2, day=6)))
        producer.flush()
    finally:
        producer.close()

    wait_until(lambda: processed(runtime) == 2 and _parked(runtime) == len(POISON), 60,
               "the two events applied and every poison message parked")
    with runtime.sessions() as session:
        letters = session.scalars(select(DeadLetter)).all()
        kept = {(letter.raw_key, _digest(letter.value), letter.reason) for letter in letters}
        assert all(letter.status == "parked" for letter in letters)
        previews = {letter.payload for letter in letters}
    assert kept == {(key, _digest(value), reason) for key, value, reason in POISON}  # every byte, every key
    assert "\\xff\\xfe\\x00garbage" in previews
    assert max(len(text) for text in previews) <= PAYLOAD_PREVIEW_CHARS
    listed = api.get("/dead-letters", limit=100).get_json()["items"]
    assert "\\xff\\xfe\\x00garbage" in {letter["payload"] for letter in listed}
    assert fleet.processes["wages-1"].poll() is None
    # The relay publishes every dead-letter copy: the one too large for a message goes without its value.
    fleet.start("relay", "relay")
    wait_until(lambda: unpublished(runtime) == 0, 60, "the relay to publish every dead-letter copy")
    [large] = [letter for letter in letters if len(letter.value) > MAX_VALUE_BYTES]
    response = api.post(f"/dead-letters/{large.id}/replay", {})
    assert response.status_code == 409 and response.content_type == "application/problem+json"
    assert replay_dead_letters(runtime) == len(POISON) - 1  # all but the large one, which stays parked
    assert [letter["id"] for letter in api.get("/dead-letters", status="parked").get_json()["items"]] == [large.id]


def test_a_replayed_dead_letter_goes_back_with_its_exact_bytes(api, runtime):
    raw = b"\xff\xfe\x00garbage \xed\xa0\x80"
    with runtime.sessions.begin() as session:
        park(session, runtime.bus, runtime.settings.topic_dead_letters,
             Message(runtime.settings.topic_work_events, 0, 7, "w\x00x", raw, {"h": "\x00"}), "invalid event")
    [letter] = api.get("/dead-letters").get_json()["items"]
    assert api.post(f"/dead-letters/{letter['id']}/replay", {}).status_code == 202
    with runtime.sessions() as session:
        rows = session.execute(select(event_log.c.key, event_log.c.value, event_log.c.headers).where(
            event_log.c.topic == runtime.settings.topic_work_events)).all()
    # The value to the byte; a key and header the outbox cannot hold as text go as their previews.
    assert [(row.key, bytes(row.value), row.headers) for row in rows] == [("w\\x00x", raw, {"h": "\\x00"})]


def test_an_invalid_event_keeps_its_readable_id_and_is_found_by_it(api, runtime, settings, fleet, kafka_broker):
    register_tea(api)
    event = attendance(7)
    event["data"]["status"] = "asleep"
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap)
    producer.send(settings.topic_work_events, key=WORKER.encode(), value=encoded(event))
    producer.flush()
    producer.close()
    fleet.start("wages-1")
    wait_until(lambda: _parked(runtime) == 1, 60, "the invalid event parked")
    [letter] = api.get("/dead-letters", event_id=event["id"]).get_json()["items"]
    assert (letter["reason"], letter["event_id"], letter["event_type"]) == (
        "invalid event", event["id"], "attendance.recorded")
    assert api.get("/dead-letters", event_id="00000000-0000-4000-8000-999999999999").get_json()["items"] == []


def test_an_event_the_database_refuses_is_parked_alone_and_the_rest_of_its_batch_applied(
        api, runtime, settings, fleet, kafka_broker):
    register_tea(api)
    with runtime.engine.begin() as connection:  # a rule of the database the event breaks, as bad data would
        connection.execute(text("ALTER TABLE attendance_records ADD CONSTRAINT ck_no_sixth "
                                "CHECK (NOT (worker_id = 'ws-tea-w2' AND work_date = '2026-03-06'))"))
    workers = ["ws-tea-w1", "ws-tea-w2", "ws-tea-w4", "ws-tea-w5"]  # assigned from 1 March
    events = [attendance(n, worker=workers[n % 4], day=2 + n % 5) for n in range(40)]
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap)
    for event in events:
        producer.send(settings.topic_work_events, key=event["data"]["worker_id"].encode(), value=encoded(event))
    producer.flush()
    producer.close()
    refused = [e["id"] for e in events if (e["data"]["worker_id"], e["data"]["date"]) == ("ws-tea-w2", "2026-03-06")]
    fleet.start("wages-1")
    wait_until(lambda: processed(runtime) == len(events) - len(refused) and _parked(runtime) == len(refused), 60,
               "every event applied but the refused ones, parked")
    with runtime.sessions() as session:
        letters = session.scalars(select(DeadLetter)).all()
    assert sorted(letter.event_id for letter in letters) == sorted(refused)
    assert all("ck_no_sixth" in letter.reason for letter in letters)


def _digest(value: bytes) -> tuple[int, str]:
    return len(value), hashlib.sha256(value).hexdigest()


def register_tea(api) -> None:
    register(api, build_scenario(seed=3))


def _parked(runtime) -> int:
    with runtime.sessions() as session:
        return len(session.scalars(select(DeadLetter.id)).all())


def _allow_large_messages(settings) -> None:
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:
        admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, settings.topic_work_events,
                                            configs={"max.message.bytes": str(2 * MIB)})])
    finally:
        admin.close()
