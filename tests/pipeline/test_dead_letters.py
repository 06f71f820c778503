"""Events produced straight to the bus that can never be applied are parked with a reason."""
from __future__ import annotations

import json

import pytest

WORKER, SITE = "ws-shoes-w1", "ws-shoes"


def attendance(event_id: str, **data) -> dict:
    body = {"worker_id": WORKER, "site_id": SITE, "date": "2026-03-02", "status": "present", "minutes": 480}
    body.update(data)
    return {"specversion": "1.0", "id": event_id, "type": "attendance.recorded", "source": "test",
            "time": "2026-03-02T18:00:00+08:00", "data": body}


def output(event_id: str, **data) -> dict:
    body = {"worker_id": "ws-toys-w1", "site_id": "ws-toys", "date": "2026-03-02", "product": "bear",
            "grade": "A", "quantity": 10}
    body.update(data)
    return {"specversion": "1.0", "id": event_id, "type": "output.recorded", "source": "test",
            "time": "2026-03-02T18:00:00+08:00", "data": body}


def uid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def dead_letters(api):
    return api.get("/dead-letters").get_json()["items"]


BAD_EVENTS = {
    "unknown worker": (attendance(uid(1), worker_id="nobody"), "unknown worker nobody"),
    "bad status": (attendance(uid(2), status="asleep"), "invalid event"),
    "impossible date": (attendance(uid(3), date="2026-02-30"), "invalid event"),
    "negative quantity": (output(uid(4), quantity=-3), "invalid event"),
    "unknown product": (output(uid(5), product="dragon"), "unknown product dragon"),
    "date before the assignment starts": (attendance(uid(6), worker_id="ws-shoes-w0", date="2026-03-02"),
                                          "is before the assignment starts on 2026-03-10"),
}


@pytest.mark.parametrize("case", sorted(BAD_EVENTS))
def test_an_event_that_can_never_apply_is_parked_with_its_reason(api, county, produce, consume, case):
    event, reason = BAD_EVENTS[case]
    produce(event)
    produce(attendance(uid(99)))  # the consumer goes on past the bad one
    consume()
    [letter] = dead_letters(api)
    assert reason in letter["reason"]
    assert letter["event_id"] in (None, event["id"]) and letter["status"] == "parked"
    assert json.loads(letter["payload"]) == event
    assert api.get(f"/workers/{WORKER}/balance").get_json()["earned_fen"] == 14400  # 1800 fen x 8 h


def test_malformed_messages_are_parked_and_the_consumer_goes_on(api, county, produce, consume):
    produce(b"\xff not json")
    produce(b'["an array"]')
    produce(attendance(uid(99)))
    consume()
    letters = dead_letters(api)
    assert [letter["reason"] for letter in letters] == ["invalid event", "invalid event"]
    assert "not JSON" in json.dumps(letters[0]["errors"])
    assert api.get(f"/workers/{WORKER}/balance").get_json()["earned_fen"] == 14400


def test_an_id_reused_with_new_content_is_parked_as_a_conflict(api, county, produce, consume):
    produce(attendance(uid(10)))
    produce(attendance(uid(10), status="absent"))
    consume()
    [letter] = dead_letters(api)
    assert letter["reason"].startswith("conflict")
    assert api.get(f"/workers/{WORKER}/balance").get_json()["earned_fen"] == 14400


def test_a_redelivered_bad_message_is_parked_once(api, county, produce, consume):
    produce(attendance(uid(1), worker_id="nobody"))
    produce(attendance(uid(1), worker_id="nobody"))
    consume()
    [letter] = dead_letters(api)
    assert letter["attempts"] == 1


def test_a_dead_letter_replayed_after_its_cause_is_fixed_takes_effect(api, county, produce, consume):
    produce(attendance(uid(20), worker_id="ws-tea-w1", site_id="ws-shoes"))  # no assignment there yet
    consume()
    [letter] = dead_letters(api)
    assert "has no assignment at site ws-shoes" in letter["reason"]
    api.created("/assignments", {"worker_id": "ws-tea-w1", "site_id": "ws-shoes", "start_date": "2026-03-01",
                                 "scheme": {"kind": "hourly", "rate_fen": 1000}})
    replayed = api.post(f"/dead-letters/{letter['id']}/replay")
    assert replayed.status_code == 202 and replayed.get_json()["status"] == "replayed"
    assert api.post(f"/dead-letters/{letter['id']}/replay").status_code == 409
    consume()
    wages = api.get("/workers/ws-tea-w1/wages", **{"from": "2026-03-02", "to": "2026-03-02"}).get_json()["items"]
    assert [(w["site_id"], w["amount_fen"]) for w in wages] == [("ws-shoes", 8000)]  # 1000 fen x 8 h
    assert [letter["status"] for letter in dead_letters(api)] == ["replayed"]


def test_a_replayed_letter_that_fails_again_is_parked_again(api, county, produce, consume):
    produce(attendance(uid(21), worker_id="nobody"))
    consume()
    [letter] = dead_letters(api)
    api.post(f"/dead-letters/{letter['id']}/replay")
    consume()
    [again] = dead_letters(api)
    assert again["id"] == letter["id"] and again["status"] == "parked" and again["attempts"] == 2


def test_parked_messages_are_copied_to_the_dead_letter_topic_with_the_reason(runtime, county, produce, consume):
    produce(attendance(uid(1), worker_id="nobody"))
    consume()
    reader = runtime.bus.consumer("inspector", [runtime.settings.topic_dead_letters])
    [message] = reader.poll(10, 0)
    assert message.headers["reason"] == "unknown worker nobody"
    assert json.loads(message.value)["id"] == uid(1)


def test_messages_nested_past_the_parsers_depth_are_parked_and_the_consumer_goes_on(api, county, produce, consume):
    deep = b"[" * 100_000
    produce(deep, key=WORKER)
    produce(deep, key=WORKER, headers={  # CloudEvents binary mode: the data is the value
        "ce_specversion": "1.0", "ce_id": uid(98), "ce_type": "attendance.recorded", "ce_source": "sites/ws-shoes",
        "ce_time": "2026-03-02T18:00:00+08:00", "content-type": "application/json"})
    produce(attendance(uid(99)))
    consume()
    letters = dead_letters(api)
    assert [letter["reason"] for letter in letters] == ["invalid event", "invalid event"]
    assert api.get(f"/workers/{WORKER}/balance").get_json()["earned_fen"] == 14400
