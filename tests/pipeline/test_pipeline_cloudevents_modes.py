"""Messages from the official CloudEvents SDK's Kafka binding, in binary mode (attributes in `ce_` headers, the
data as the value) and structured mode: one event whichever way it comes, with the same content hash."""
from __future__ import annotations

import hashlib

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


def test_a_binary_message_whose_data_is_not_json_is_parked_as_invalid(api, county, produce, consume):
    message = kafka_binary(attendance())
    produce(b"{not json", key=message.key, headers=text_headers(message))
    consume()
    [letter] = dead_letters(api)
    assert letter["reason"] == "invalid event" and letter["payload"] == "{not json"
    assert list(letter["errors"]) == ["data"] and letter["errors"]["data"][0].startswith("not JSON")


def test_a_binary_message_with_bad_data_names_the_data_field_at_fault(api, county, produce, consume):
    produce_sdk(produce, kafka_binary(attendance(minutes=-5)))
    consume()
    [letter] = dead_letters(api)
    assert letter["reason"] == "invalid event" and list(letter["errors"]) == ["data"]
    assert "minutes" in letter["errors"]["data"]
