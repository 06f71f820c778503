"""POST /events in the three content modes of CloudEvents' HTTP binding, as the official SDK writes them:
structured (`application/cloudevents+json`), binary (`ce-*` headers, the data as the body) and batched
(`application/cloudevents-batch+json`, a JSON array). One event whichever way it comes."""
from __future__ import annotations

import pytest
from support.cloudevents_sdk import BATCH_CONTENT, http_batch, http_binary, http_structured

from app.db.models import ReceivedEvent
from events import content_hash, parse_event

PROBLEM_JSON = "application/problem+json"


def send(api, message, **headers):
    return api.client.post("/api/v1/events", data=message.body,
                           headers={**message.headers, "Authorization": f"Bearer {api.token}", **headers})


def statuses(response) -> list[str]:
    assert response.status_code == 202, response.get_json()
    return [receipt["status"] for receipt in response.get_json()["results"]]


def rejected(response) -> dict:
    assert response.status_code == 422, response.get_json()
    assert response.content_type == PROBLEM_JSON
    return response.get_json()["errors"]


def stored_hash(runtime, event_id: str) -> str:
    with runtime.sessions() as session:
        return session.get(ReceivedEvent, event_id).content_hash


def test_an_event_in_binary_mode_is_accepted(api, runtime, world, build):
    event = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)

    assert statuses(send(api, http_binary(event))) == ["accepted"]
    assert stored_hash(runtime, event["id"]) == content_hash(parse_event(event))


def test_an_event_in_structured_mode_from_the_sdk_is_accepted(api, world, build):
    event = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)

    assert statuses(send(api, http_structured(event))) == ["accepted"]


@pytest.mark.parametrize("first, again", [(http_structured, http_binary), (http_binary, http_structured),
                                          (http_binary, http_batch)])
def test_the_same_event_in_another_mode_is_a_duplicate_not_a_conflict(api, world, build, first, again):
    event = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)
    assert statuses(send(api, first(event))) == ["accepted"]

    assert statuses(send(api, again(event))) == ["duplicate"]


def test_other_content_under_the_same_id_in_binary_mode_is_a_conflict(api, world, build):
    event = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)
    assert statuses(send(api, http_structured(event))) == ["accepted"]
    changed = {**event, "data": {**event["data"], "minutes": 240}}

    assert rejected(send(api, http_binary(changed))) == {"0": {"id": ["already used by another event with different "
                                                                      "content"]}}


def test_a_batch_is_accepted_event_by_event(api, world, build):
    batch = [build.attendance(world.li, world.sewing, "2026-03-02", minutes=480),
             build.output(world.li, world.glove, "2026-03-02", "GLOVE", 40, "B")]

    response = send(api, http_batch(*batch))

    assert statuses(response) == ["accepted", "accepted"]
    assert [receipt["id"] for receipt in response.get_json()["results"]] == [event["id"] for event in batch]


def test_a_batch_lists_every_bad_item_by_index_and_takes_none(api, world, build):
    good = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)
    bad = build.attendance(world.li, world.sewing, "2026-03-03", minutes=-5)

    errors = rejected(send(api, http_batch(good, bad)))

    assert list(errors) == ["1"] and "minutes" in errors["1"]["data"]
    assert statuses(send(api, http_batch(good))) == ["accepted"]  # nothing was taken before


@pytest.mark.parametrize("body", [b"[]", b'{"events": []}', b"7", b"[1]"])
def test_a_batch_that_is_not_a_list_of_events_is_refused(api, body):
    response = api.client.post("/api/v1/events", data=body, content_type=BATCH_CONTENT,
                               headers={"Authorization": f"Bearer {api.token}"})

    assert response.status_code == 422
    assert response.content_type == PROBLEM_JSON


def test_a_batch_over_the_limit_is_too_large(api, world, build, runtime):
    limit = runtime.settings.max_events_per_request
    batch = [build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)] * (limit + 1)

    response = send(api, http_batch(*batch))

    assert response.status_code == 413
    assert response.content_type == PROBLEM_JSON


def test_a_binary_event_without_an_id_is_refused_with_the_attribute_at_fault(api, world, build):
    message = http_binary(build.attendance(world.li, world.sewing, "2026-03-02", minutes=480))
    del message.headers["ce-id"]

    assert rejected(send(api, message)) == {"0": {"id": ["Missing data for required field."]}}


def test_a_binary_event_with_bad_data_is_refused_with_the_data_field_at_fault(api, world, build):
    message = http_binary(build.attendance(world.li, world.sewing, "2026-03-02", minutes=-5))

    assert list(rejected(send(api, message))["0"]) == ["data"]


def test_a_binary_event_whose_source_is_percent_encoded_keeps_its_text(api, runtime, world, build):
    event = {**build.attendance(world.li, world.sewing, "2026-03-02", minutes=480), "source": "tablet 1/李"}
    message = http_binary(event)
    assert message.headers["ce-source"] != event["source"]  # the SDK encodes it, as the binding says

    assert statuses(send(api, message)) == ["accepted"]
    assert stored_hash(runtime, event["id"]) == content_hash(parse_event(event))


def test_an_idempotency_key_reused_for_another_binary_event_is_refused(api, world, build):
    first = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)
    other = {**first, "id": build.attendance(world.li, world.sewing, "2026-03-02")["id"]}
    assert http_binary(first).body == http_binary(other).body  # only the ce-id header tells them apart
    assert statuses(send(api, http_binary(first), **{"Idempotency-Key": "k-1"})) == ["accepted"]

    response = send(api, http_binary(other), **{"Idempotency-Key": "k-1"})

    assert response.status_code == 422
    assert "Idempotency-Key" in response.get_json()["errors"]


def test_the_openapi_document_names_the_content_modes(app):
    operation = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/events"]["post"]

    assert {"application/json", "application/cloudevents+json", BATCH_CONTENT} <= set(
        operation["requestBody"]["content"])
    assert "ce-" in operation["description"]
