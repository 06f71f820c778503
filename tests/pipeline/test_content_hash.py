"""The API stages each event with its content hash in a header, so the consumer need not encode it again;
a header that is not the hash of the message's own bytes is ignored."""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from support.pipeline import processed

from app.db.models import ProcessedEvent
from events import encode_event, parse_event
from events.bus.log import event_log
from events.envelope import CONTENT_HASH_HEADER

WORKER, SITE = "ws-shoes-w1", "ws-shoes"
EVENT_ID = "00000000-0000-4000-8000-000000000042"


def attendance(**data) -> dict:
    body = {"worker_id": WORKER, "site_id": SITE, "date": "2026-03-02", "status": "present", "minutes": 480}
    body.update(data)
    return {"specversion": "1.0", "id": EVENT_ID, "type": "attendance.recorded", "source": "test",
            "time": "2026-03-02T18:00:00+08:00", "data": body}


def sha256(value: bytes) -> str:
    return hashlib.sha256(value).hexdigest()


def stored_hash(runtime) -> str:
    with runtime.sessions() as session:
        return session.scalar(select(ProcessedEvent.content_hash).where(ProcessedEvent.event_id == EVENT_ID))


def dead_letters(api) -> list[dict]:
    return api.get("/dead-letters").get_json()["items"]


def test_the_api_stages_each_event_with_the_hash_of_its_canonical_bytes(runtime, api, county):
    assert api.post("/events", {"events": [attendance()]}).status_code == 202
    with runtime.sessions() as session:
        [row] = session.execute(select(event_log.c.value, event_log.c.headers)
                                .where(event_log.c.topic == runtime.settings.topic_work_events)).all()
    assert bytes(row.value) == encode_event(parse_event(attendance()))
    assert row.headers == {CONTENT_HASH_HEADER: sha256(bytes(row.value))}


def test_an_event_from_the_api_and_again_from_another_producer_is_one_event(runtime, api, county, produce, consume):
    assert api.post("/events", {"events": [attendance()]}).status_code == 202
    produce(json.dumps(attendance(), indent=2).encode())  # the same fact, spelled another way, no header
    consume()
    assert processed(runtime) == 1 and dead_letters(api) == []
    assert stored_hash(runtime) == sha256(encode_event(parse_event(attendance())))
    assert api.get(f"/workers/{WORKER}/balance").get_json()["earned_fen"] == 14400


def test_a_header_that_is_not_the_hash_of_the_bytes_is_ignored(runtime, api, county, produce, consume):
    canonical = encode_event(parse_event(attendance()))
    produce(canonical, headers={CONTENT_HASH_HEADER: "0" * 64})
    produce(canonical)  # a redelivery without the header: a duplicate, not a conflict with "000..."
    consume()
    assert stored_hash(runtime) == sha256(canonical)
    assert processed(runtime) == 1 and dead_letters(api) == []


def test_a_header_that_fits_the_bytes_is_taken_as_their_content_hash(runtime, api, county, produce, consume):
    """The header vouches that the bytes are canonical; a producer that sets it on other bytes is believed
    (its redeliveries still match), so only the API's staging sets it."""
    spelled = json.dumps(attendance(), indent=2).encode()
    produce(spelled, headers={CONTENT_HASH_HEADER: sha256(spelled)})
    produce(spelled, headers={CONTENT_HASH_HEADER: sha256(spelled)})
    consume()
    assert stored_hash(runtime) == sha256(spelled)
    assert processed(runtime) == 1 and dead_letters(api) == []
