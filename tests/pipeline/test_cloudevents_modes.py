"""Messages from the official CloudEvents SDK's Kafka binding, in binary mode (attributes in `ce_` headers, the
data as the value) and structured mode: one event whichever way it comes, with the same content hash."""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from support.cloudevents_sdk import kafka_binary, kafka_structured, text_headers
from support.pipeline import processed

from app.db.models import ProcessedEvent
from events import encode_event, parse_event

WORKER, SITE = "ws-shoes-w1", "ws-shoes"
EVENT_ID = "00000000-0000-4000-8000-000000000042"


def attendance(event_id: str = EVENT_ID, **data) -> dict:
    body = {"worker_id": WORKER, "site_id": SITE, "date": "2026-03-02", "status": "present", "minutes": 480}
    body.update(data)
    return {"specversion": "1.0", "id": event_id, "type": "attendance.recorded", "source": "sdk",
            "time": "2026-03-02T18:00:00+08:00", "datacontenttype": "application/json", "data": body}


def uid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def produce_sdk(produce, message) -> None:
    produce(message.value, key=message.key, headers=text_headers(message))


def dead_letters(api) -> list[dict]:
    return api.get("/dead-letters").get_json()["items"]


def earned(api) -> int:
    return api.get(f"/workers/{WORKER}/balance").get_json()["earned_fen"]


def test_an_event_in_binary_mode_is_applied(runtime, api, county, produce, consume):
    produce_sdk(produce, kafka_binary(attendance()))
    consume()
    assert dead_letters(api) == []
    assert processed(runtime) == 1 and earned(api) == 14400
    with runtime.sessions() as session:
        stored = session.scalar(select(ProcessedEvent.content_hash).where(ProcessedEvent.event_id == EVENT_ID))
    assert stored == hashlib.sha256(encode_event(parse_event(attendance()))).hexdigest()


def test_the_same_event_posted_in_structured_mode_then_sent_in_binary_mode_is_a_duplicate(
        runtime, api, county, produce, consume):
    assert api.post("/events", attendance()).status_code == 202
    produce_sdk(produce, kafka_binary(attendance()))
    produce_sdk(produce, kafka_structured(attendance()))
    consume()
    assert dead_letters(api) == []
    assert processed(runtime) == 1 and earned(api) == 14400


def test_other_content_under_the_same_id_in_binary_mode_is_a_conflict(runtime, api, county, produce, consume):
    produce_sdk(produce, kafka_structured(attendance()))
    produce_sdk(produce, kafka_binary(attendance(minutes=240)))
    consume()
    [letter] = dead_letters(api)
    assert letter["reason"].startswith("conflict")
    assert earned(api) == 14400


def test_a_binary_message_without_an_id_is_parked_as_invalid_with_the_attribute_at_fault(
        api, county, produce, consume):
    message = kafka_binary(attendance())
    headers = {name: value for name, value in text_headers(message).items() if name != "ce_id"}
    produce(message.value, key=message.key, headers=headers)
    consume()
    [letter] = dead_letters(api)
    assert letter["reason"] == "invalid event"
    assert letter["errors"] == {"id": ["Missing data for required field."]}


def test_a_binary_message_whose_data_is_not_json_is_parked_whole_as_invalid(api, county, produce, consume):
    message = kafka_binary(attendance())
    produce(b"{not json", key=message.key, headers=text_headers(message))
    consume()
    [letter] = dead_letters(api)
    assert letter["reason"] == "invalid event" and letter["errors"] == {"data": ["Not a valid mapping type."]}
    assert json.loads(letter["payload"])["data"] == "{not json"
    assert json.loads(letter["payload"])["id"] == EVENT_ID


def test_parked_binary_messages_are_each_the_whole_event_and_replay(api, county, produce, consume):
    """Binary messages with the same data are different events: each is parked, and replays as itself."""
    moved = {"worker_id": "ws-tea-w1", "site_id": "ws-shoes"}  # no assignment there yet
    first, second = attendance(uid(1), **moved), attendance(uid(2), **moved)
    assert kafka_binary(first).value == kafka_binary(second).value
    produce_sdk(produce, kafka_binary(first))
    produce_sdk(produce, kafka_binary(second))
    consume()
    letters = {json.loads(letter["payload"])["id"]: letter for letter in dead_letters(api)}
    assert sorted(letters) == [uid(1), uid(2)]
    assert all("has no assignment at site ws-shoes" in letter["reason"] for letter in letters.values())
    api.created("/assignments", {"worker_id": "ws-tea-w1", "site_id": "ws-shoes", "start_date": "2026-03-01",
                                 "scheme": {"kind": "hourly", "rate_fen": 1000}})
    assert api.post(f"/dead-letters/{letters[uid(1)]['id']}/replay").status_code == 202
    consume()
    wages = api.get("/workers/ws-tea-w1/wages", **{"from": "2026-03-02", "to": "2026-03-02"}).get_json()["items"]
    assert [(w["site_id"], w["amount_fen"]) for w in wages] == [("ws-shoes", 8000)]  # 1000 fen x 8 h
    assert {event_id: letter["status"] for event_id, letter in
            ((json.loads(letter["payload"])["id"], letter) for letter in dead_letters(api))} == {
        uid(1): "replayed", uid(2): "parked"}


def test_a_binary_message_with_bad_data_names_the_data_field_at_fault(api, county, produce, consume):
    produce_sdk(produce, kafka_binary(attendance(minutes=-5)))
    consume()
    [letter] = dead_letters(api)
    assert letter["reason"] == "invalid event" and list(letter["errors"]) == ["data"]
    assert "minutes" in letter["errors"]["data"]
