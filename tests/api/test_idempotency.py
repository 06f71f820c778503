"""Idempotency-Key on every POST: a retry gets the first answer, and the write is never done twice."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, update

from app.access.tokens import find_token
from app.db.models import ApiToken, Household, IdempotencyRecord
from events.bus.log import event_log

PROBLEM_JSON = "application/problem+json"
HOUSEHOLD = {"region_code": "360702101201", "size": 3, "status": "poor"}


def post(api, path: str, body, key: str | None = None):
    headers = {"Authorization": f"Bearer {api.token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return api.client.post(f"/api/v1{path}", json=body, headers=headers)


def count(runtime, table) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(table))


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    assert response.content_type == PROBLEM_JSON
    return response.get_json()


# --- a retry gets the first answer ---------------------------------------------------------------------


def test_a_retried_household_post_replays_the_first_answer(api, world, runtime):
    body = {**HOUSEHOLD, "id": "h-zhao"}
    first = post(api, "/households", body, key="k-1")

    again = post(api, "/households", body, key="k-1")

    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data()
    assert again.content_type == first.content_type == "application/json"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert api.get("/households/h-zhao").status_code == 200
    # Without a key the same retry is refused as a conflict: the key is what makes it safe.
    assert_problem(post(api, "/households", body), 409)


def test_a_retried_post_without_an_id_creates_one_household(api, world, runtime):
    before = count(runtime, Household)

    first = post(api, "/households", HOUSEHOLD, key="k-1")
    again = post(api, "/households", HOUSEHOLD, key="k-1")

    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert count(runtime, Household) == before + 1


def test_a_retried_event_batch_is_staged_once(api, world, build, runtime):
    batch = {"events": [build.attendance(world.li, world.sewing, "2026-03-02", minutes=480),
                        build.attendance(world.wang, world.sewing, "2026-03-10")]}
    first = post(api, "/events", batch, key="batch-1")
    staged = count(runtime, event_log)

    again = post(api, "/events", batch, key="batch-1")

    assert first.status_code == again.status_code == 202
    assert first.get_json()["accepted"] == 2
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(runtime, event_log) == staged == 2


# --- what a key may and may not be ---------------------------------------------------------------------


def test_the_same_key_with_a_different_request_is_refused(api, world, runtime):
    post(api, "/households", HOUSEHOLD, key="k-1")

    response = post(api, "/households", {**HOUSEHOLD, "size": 4}, key="k-1")

    body = assert_problem(response, 422)
    assert "Idempotency-Key reused for a different request" in body["detail"]
    assert "Idempotency-Key" in body["errors"]


def test_keys_belong_to_their_token(api, world, runtime, token):
    other = api.as_token(token("admin"))
    before = count(runtime, Household)

    first = post(api, "/households", HOUSEHOLD, key="shared")
    second = post(other, "/households", HOUSEHOLD, key="shared")

    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second.headers
    assert second.get_json()["id"] != first.get_json()["id"]
    assert count(runtime, Household) == before + 2


@pytest.mark.parametrize("key", ["", "x" * 201, "clé", "tab\there"])
def test_a_malformed_key_is_refused_before_anything_is_done(api, world, runtime, key):
    before = count(runtime, Household)

    response = post(api, "/households", HOUSEHOLD, key=key)

    assert assert_problem(response, 422)["errors"]["Idempotency-Key"]
    assert count(runtime, Household) == before


def test_the_longest_key_is_accepted(api, world):
    assert post(api, "/households", HOUSEHOLD, key="~" * 200).status_code == 201


def test_without_a_valid_token_the_key_changes_nothing(api, world):
    assert_problem(post(api.as_token("swk_unknown"), "/households", HOUSEHOLD, key="k-1"), 401)

    assert post(api, "/households", HOUSEHOLD, key="k-1").status_code == 201


def test_get_requests_ignore_the_header(api, world, runtime):
    headers = {"Authorization": f"Bearer {api.token}", "Idempotency-Key": ""}

    first = api.client.get("/api/v1/households/h-li", headers=headers)
    again = api.client.get("/api/v1/households/h-li", headers=headers)

    assert first.status_code == again.status_code == 200
    assert "Idempotent-Replayed" not in again.headers
    assert count(runtime, IdempotencyRecord) == 0


# --- a failed request does not burn its key ------------------------------------------------------------


def test_a_request_refused_inside_its_transaction_can_be_retried_with_the_same_key(api, world, runtime):
    refused = post(api, "/households", {**HOUSEHOLD, "region_code": "999999"}, key="k-1")
    assert "region_code" in assert_problem(refused, 422)["errors"]

    # The fixed request is a different request, yet the key is free: the failure left nothing behind.
    fixed = post(api, "/households", HOUSEHOLD, key="k-1")

    assert fixed.status_code == 201
    assert "Idempotent-Replayed" not in fixed.headers


def test_a_forbidden_request_does_not_burn_the_key(api, world, token):
    outsider = api.as_token(token("poverty_office", world.other_county))
    assert_problem(post(outsider, "/households", HOUSEHOLD, key="k-1"), 403)

    allowed = post(outsider, "/households", {**HOUSEHOLD, "region_code": world.other_village}, key="k-1")

    assert allowed.status_code == 201


# --- lost answers and concurrent requests --------------------------------------------------------------


def test_a_write_whose_answer_was_lost_is_a_conflict_not_a_second_write(api, world, runtime):
    post(api, "/households", HOUSEHOLD, key="k-1")
    before = count(runtime, Household)
    with runtime.sessions.begin() as session:  # as if the process died between commit and storing
        session.execute(update(IdempotencyRecord).values(status_code=None, content_type=None, response_body=None))

    response = post(api, "/households", HOUSEHOLD, key="k-1")

    assert "in progress or its answer was lost" in assert_problem(response, 409)["detail"]
    assert count(runtime, Household) == before


def test_a_key_reserved_meanwhile_by_a_concurrent_request_rolls_this_write_back(app, api, world, runtime):
    with runtime.sessions() as session:
        token_id = find_token(session, api.token).id

    @app.before_request
    def concurrent_request_reserves_the_key():  # runs after the key was found free, before the view
        with runtime.sessions.begin() as session:
            session.add(IdempotencyRecord(token_id=token_id, key="k-1", method="POST", path="/api/v1/households",
                                          request_hash="from the other request"))

    before = count(runtime, Household)

    response = post(api, "/households", HOUSEHOLD, key="k-1")

    assert_problem(response, 409)
    assert count(runtime, Household) == before


@pytest.mark.parametrize("round_", range(5))  # a few rounds: the race goes either way
def test_two_concurrent_requests_with_one_key_write_once(app, api, world, runtime, round_):
    before = count(runtime, Household)
    clients = [api, api.as_token(api.token)]
    clients[1].client = app.test_client()
    start = threading.Barrier(2)

    def send(client):
        start.wait()
        return post(client, "/households", HOUSEHOLD, key="race")

    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(send, clients))

    assert count(runtime, Household) == before + 1
    (original,) = [r for r in responses if r.status_code == 201 and "Idempotent-Replayed" not in r.headers]
    (other,) = [r for r in responses if r is not original]
    if other.status_code == 201:  # it looked the key up after the first answer was stored
        assert other.headers["Idempotent-Replayed"] == "true"
        assert other.get_json() == original.get_json()
    else:  # it found the key reserved, or lost the race to reserve it
        assert_problem(other, 409)


# --- secrets and documentation -------------------------------------------------------------------------


def test_a_new_token_is_issued_once_and_never_stored_in_clear(api, world, runtime):
    body = {"name": "tablet", "role": "supervisor", "region_code": world.county}
    first = post(api, "/tokens", body, key="k-1")
    issued = first.get_json()["token"]

    again = post(api, "/tokens", body, key="k-1")

    assert first.status_code == 201
    assert_problem(again, 409)
    with runtime.sessions() as session:
        stored = session.scalars(select(IdempotencyRecord.response_body)).all()
        assert session.scalar(select(func.count()).where(ApiToken.name == "tablet")) == 1
    assert stored == [None]
    assert issued not in str(stored)


def test_the_openapi_document_offers_the_key_on_every_post(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    components = spec["components"]["parameters"]

    def resolve(parameter: dict) -> dict:
        return components[parameter["$ref"].rsplit("/", 1)[-1]] if "$ref" in parameter else parameter

    posts = {path: ops["post"] for path, ops in spec["paths"].items() if "post" in ops}
    assert "/api/v1/households" in posts and "/api/v1/events" in posts
    for path, operation in posts.items():
        headers = [resolve(p) for p in operation.get("parameters", []) if resolve(p)["in"] == "header"]
        assert [(h["name"], h["required"]) for h in headers] == [("Idempotency-Key", False)], path
    for path, ops in spec["paths"].items():
        for method in set(ops) - {"post", "parameters"}:
            assert all(resolve(p)["name"] != "Idempotency-Key" for p in ops[method].get("parameters", [])), path
