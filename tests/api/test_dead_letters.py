"""GET /dead-letters: every message that cannot be applied, with the reason, for admins only."""
from __future__ import annotations

import base64
import json
import re

import pytest
from support.event_posts import PROBLEM_JSON, messages_at

from events.bus import OutgoingMessage


def send_raw(runtime, key: str | None, value: bytes) -> None:
    producer = runtime.bus.producer()
    producer.send(OutgoingMessage(runtime.settings.topic_work_events, key, value))
    producer.flush()


@pytest.fixture
def parked(runtime, world, build, consume) -> list[bytes]:
    """Five messages the consumer can never apply, and one it can, straight onto the bus."""
    unknown_worker = build.attendance("w-nobody", world.post, "2026-03-02")
    bad = [
        b"not json at all",
        json.dumps({"specversion": "1.0"}).encode(),
        json.dumps(unknown_worker).encode(),
        json.dumps(build.attendance(world.chen, world.post, "2026-03-02")).encode(),  # no assignment there
        json.dumps(build.output(world.li, world.glove, "2026-03-02", "HAT", 3)).encode(),  # no rate for HATs
    ]
    keys = [world.li, world.li, "w-nobody", world.chen, world.li]  # each event keyed by its worker
    for key, value in zip(keys[:3], bad[:3]):
        send_raw(runtime, key, value)
    send_raw(runtime, world.li, json.dumps(build.attendance(world.li, world.post, "2026-03-02")).encode())
    for key, value in zip(keys[3:], bad[3:]):
        send_raw(runtime, key, value)
    consume()
    return bad


def test_the_dead_letters_list_every_message_that_cannot_be_applied_with_the_reason(api, parked):
    page = api.get("/dead-letters").get_json()

    assert [letter["payload"].encode() for letter in page["items"]] == parked
    assert page["next_cursor"] is None
    not_json, not_an_event, unknown_worker, no_assignment, unknown_product = page["items"]
    assert not_json["event_id"] is None and "not JSON" in json.dumps(not_json["errors"])
    messages_at(not_an_event["errors"], "id")
    messages_at(unknown_worker["errors"], "data.worker_id")
    assert unknown_worker["event_id"] == json.loads(parked[2])["id"]
    assert unknown_worker["event_type"] == "attendance.recorded"
    messages_at(no_assignment["errors"], "data.site_id")
    messages_at(unknown_product["errors"], "data.product")
    assert all(letter["status"] == "parked" and letter["reason"] for letter in page["items"])
    assert all(re.search(r"(Z|\+00:00)$", letter["first_seen_at"]) for letter in page["items"])


def test_the_dead_letters_are_paginated_with_limit_and_cursor(api, parked):
    first = api.get("/dead-letters", limit=2).get_json()
    second = api.get("/dead-letters", limit=2, cursor=first["next_cursor"]).get_json()
    third = api.get("/dead-letters", limit=2, cursor=second["next_cursor"]).get_json()

    assert [len(first["items"]), len(second["items"]), len(third["items"])] == [2, 2, 1]
    assert third["next_cursor"] is None
    ids = [letter["id"] for page in (first, second, third) for letter in page["items"]]
    assert ids == sorted(ids) and len(set(ids)) == 5
    assert [letter["payload"].encode() for page in (first, second, third) for letter in page["items"]] == parked


def test_the_dead_letters_filter_by_status(api, parked):
    assert len(api.get("/dead-letters", status="parked").get_json()["items"]) == 5
    assert api.get("/dead-letters", status="replayed").get_json()["items"] == []
    assert api.get("/dead-letters", status="lost").status_code == 422


def test_a_redelivered_dead_letter_is_parked_once(api, runtime, parked, consume):
    send_raw(runtime, "w-li", parked[0])
    consume()

    letters = api.get("/dead-letters").get_json()["items"]
    assert len(letters) == 5
    assert letters[0]["attempts"] == 1


@pytest.mark.parametrize("role", ["supervisor", "poverty_office", "post_manager"])
def test_only_admins_read_the_dead_letters(api, world, token, role, parked):
    caller = api.as_token(token(role, world.county, sites=[world.glove] if role == "supervisor" else []))

    response = caller.get("/dead-letters")

    assert response.status_code == 403
    assert response.content_type == PROBLEM_JSON


def test_a_garbage_dead_letter_cursor_is_refused(api):
    garbage = ["%%%", "bm90IGpzb24=", *(
        base64.urlsafe_b64encode(json.dumps(key).encode()).decode()
        for key in (["x"], [10**28], [[1]], [1, 2], [True], [-1], {"id": 1}))]

    for cursor in garbage:
        response = api.get("/dead-letters", cursor=cursor)

        assert response.status_code == 422, cursor
        assert "cursor" in response.get_json()["errors"], cursor
