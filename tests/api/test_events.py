"""POST /events: all valid or none taken, each id once; dead letters; health and the API documents."""
from __future__ import annotations

import base64
import json
import re
import sqlite3
from html.parser import HTMLParser

import pytest

from events.bus import OutgoingMessage

PROBLEM_JSON = "application/problem+json"


def post_events(api, *events):
    return api.post("/events", {"events": list(events)})


def statuses(response) -> list[str]:
    assert response.status_code == 202, response.get_json()
    return [r["status"] for r in response.get_json()["results"]]


def rejected(response) -> dict:
    assert response.status_code == 422, response.get_json()
    assert response.content_type == PROBLEM_JSON
    return response.get_json()["errors"]


def messages_at(errors: dict, path: str) -> list[str]:
    node = errors
    for part in path.split("."):
        assert isinstance(node, dict) and part in node, f"no errors at {path}: {errors}"
        node = node[part]
    assert isinstance(node, list) and node and all(isinstance(m, str) for m in node), node
    return node


# --- accepted once -------------------------------------------------------------------------------------


def test_a_single_event_is_accepted(api, world, build):
    event = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)

    response = api.post("/events", event)

    assert response.status_code == 202
    assert response.get_json() == {"accepted": 1, "duplicates": 0,
                                   "results": [{"id": event["id"], "status": "accepted"}]}


def test_the_same_event_sent_again_is_a_duplicate(api, world, build):
    event = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)
    api.post("/events", event)

    response = api.post("/events", event)

    assert response.status_code == 202
    assert response.get_json() == {"accepted": 0, "duplicates": 1,
                                   "results": [{"id": event["id"], "status": "duplicate"}]}


def test_the_same_event_written_another_way_is_a_duplicate_not_a_conflict(api, world, build):
    event = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480, time="2026-03-02T18:00:00+08:00")
    api.post("/events", event)
    rewritten = {**event, "id": event["id"].upper(), "time": "2026-03-02T10:00:00Z"}

    assert statuses(api.post("/events", rewritten)) == ["duplicate"]


def test_a_batch_of_valid_events_is_accepted_event_by_event(api, world, build):
    batch = [
        build.attendance(world.li, world.sewing, "2026-03-02", check_in="08:00", check_out="17:00"),
        build.attendance(world.li, world.post, "2026-03-02", "half_day"),
        build.output(world.li, world.glove, "2026-03-02", "GLOVE", 40, "B"),
        build.attendance(world.wang, world.sewing, "2026-03-10", "leave"),
    ]

    response = post_events(api, *batch)

    assert response.status_code == 202
    assert response.get_json()["results"] == [{"id": e["id"], "status": "accepted"} for e in batch]
    assert response.get_json()["accepted"] == 4


def test_a_batch_mixing_new_and_seen_events_says_which_is_which(api, world, build):
    seen = build.attendance(world.li, world.sewing, "2026-03-02", minutes=300)
    api.post("/events", seen)
    new = build.attendance(world.li, world.sewing, "2026-03-03", minutes=300)

    response = post_events(api, seen, new)

    assert statuses(response) == ["duplicate", "accepted"]
    assert (response.get_json()["accepted"], response.get_json()["duplicates"]) == (1, 1)


def test_a_void_of_an_output_posted_earlier_in_the_same_batch_is_accepted(api, world, build, consume):
    output = build.output(world.li, world.glove, "2026-03-02", "BOX", 3)
    kept = build.output(world.li, world.glove, "2026-03-02", "GLOVE", 10)

    assert statuses(post_events(api, output, kept, build.void(world.li, world.glove, output["id"]))) == [
        "accepted"] * 3
    consume()
    [line] = api.get(f"/workers/{world.li}/wages").get_json()["items"]
    assert line["amount_fen"] == 330  # 10 GLOVE at 33 fen, grade A 100%; the voided BOXes pay nothing
    assert [o["event_id"] for o in line["facts"]["outputs"]] == [kept["id"]]


def test_a_void_of_an_output_accepted_earlier_is_accepted(api, world, build):
    output = build.output(world.li, world.glove, "2026-03-02", "BOX", 3)
    api.post("/events", output)

    assert statuses(api.post("/events", build.void(world.li, world.glove, output["id"]))) == ["accepted"]


def test_a_void_of_an_output_not_received_yet_is_accepted_and_waits_for_it(api, world, build, consume):
    output = build.output(world.li, world.glove, "2026-03-02", "BOX", 3)

    assert statuses(api.post("/events", build.void(world.li, world.glove, output["id"]))) == ["accepted"]
    consume()
    assert statuses(api.post("/events", output)) == ["accepted"]
    consume()
    assert api.get(f"/workers/{world.li}/wages").get_json()["items"] == []  # cancelled the moment it arrived


def test_a_void_before_its_output_in_the_same_batch_is_accepted(api, world, build, consume):
    output = build.output(world.li, world.glove, "2026-03-02", "BOX", 3)
    kept = build.output(world.li, world.glove, "2026-03-02", "GLOVE", 10)

    assert statuses(post_events(api, build.void(world.li, world.glove, output["id"]), kept, output)) == [
        "accepted"] * 3
    consume()
    [line] = api.get(f"/workers/{world.li}/wages").get_json()["items"]
    assert line["amount_fen"] == 330  # as when the void comes after: only the GLOVEs pay
    assert [o["event_id"] for o in line["facts"]["outputs"]] == [kept["id"]]


def test_a_void_of_another_workers_output_is_refused_wherever_it_stands_in_the_batch(api, world, build):
    output = build.output(world.li, world.glove, "2026-03-02", "GLOVE", 5)
    void = build.void(world.wang, world.glove, output["id"])

    for batch, at in (((output, void), "1"), ((void, output), "0")):
        errors = rejected(post_events(api, *batch))

        assert set(errors) == {at}
        messages_at(errors[at], "data.output_id")


# --- all or nothing: every bad item, by index, field by field ------------------------------------------


def _unknown_worker(api, world, build):
    return build.attendance("w-nobody", world.sewing, "2026-03-02", minutes=480), "data.worker_id"


def _bad_status(api, world, build):
    return build.attendance(world.li, world.sewing, "2026-03-02", "sick", minutes=480), "data.status"


def _impossible_date(api, world, build):
    return build.attendance(world.li, world.sewing, "2026-02-30", minutes=480), "data.date"


def _negative_quantity(api, world, build):
    return build.output(world.li, world.glove, "2026-03-02", "GLOVE", -5), "data.quantity"


def _fractional_quantity(api, world, build):
    return build.output(world.li, world.glove, "2026-03-02", "GLOVE", 1.5), "data.quantity"


def _unknown_product(api, world, build):
    return build.output(world.li, world.glove, "2026-03-02", "HAT", 5), "data.product"


def _unknown_grade(api, world, build):
    return build.output(world.li, world.glove, "2026-03-02", "GLOVE", 5, "D"), "data.grade"


def _before_the_assignment_starts(api, world, build):
    # Wang starts at the sewing workshop on 2026-03-10
    return build.attendance(world.wang, world.sewing, "2026-03-09"), "data.date"


def _after_the_assignment_ends(api, world, build):
    # ... and leaves it after 2026-06-30
    return build.attendance(world.wang, world.sewing, "2026-07-01"), "data.site_id"


def _no_assignment_at_the_site(api, world, build):
    return build.attendance(world.chen, world.sewing, "2026-03-10"), "data.site_id"


def _reused_id_with_new_content(api, world, build):
    first = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)
    assert statuses(api.post("/events", first)) == ["accepted"]
    return {**first, "data": {**first["data"], "minutes": 240}}, "id"


def _output_at_a_non_piece_assignment(api, world, build):
    return build.output(world.li, world.sewing, "2026-03-02", "GLOVE", 5), "data.product"


def _hourly_present_without_minutes(api, world, build):
    return build.attendance(world.li, world.sewing, "2026-03-02", "present"), "data.minutes"


def _void_of_another_workers_output(api, world, build):
    output = build.output(world.li, world.glove, "2026-03-02", "GLOVE", 5)
    assert statuses(api.post("/events", output)) == ["accepted"]
    return build.void(world.wang, world.glove, output["id"]), "data.output_id"


def _naive_time(api, world, build):
    return build.attendance(world.li, world.post, "2026-03-02", time="2026-03-02T18:00:00"), "time"


def _not_an_object(api, world, build):
    return "attendance", "_schema"


def _unstorable_worker_id(api, world, build):
    # JSON "\ud800" decodes to a lone surrogate, which no database can store: this was a 500
    return build.attendance("w-\ud800", world.sewing, "2026-03-02", minutes=480), "data.worker_id"


INVALID = {case.__name__.lstrip("_").replace("_", " "): case for case in [
    _unknown_worker, _bad_status, _impossible_date, _negative_quantity, _fractional_quantity, _unknown_product,
    _unknown_grade, _before_the_assignment_starts, _after_the_assignment_ends, _no_assignment_at_the_site,
    _reused_id_with_new_content, _output_at_a_non_piece_assignment, _hourly_present_without_minutes,
    _void_of_another_workers_output, _naive_time, _not_an_object,
    _unstorable_worker_id,
]}


@pytest.mark.parametrize("case", INVALID.values(), ids=INVALID.keys())
def test_an_invalid_event_is_refused_with_the_field_at_fault(api, world, build, case):
    event, path = case(api, world, build)
    valid = build.attendance(world.li, world.post, "2026-03-03")

    errors = rejected(post_events(api, valid, event))

    assert set(errors) == {"1"}
    messages_at(errors["1"], path)
    assert statuses(api.post("/events", valid)) == ["accepted"]  # the valid one was not taken


def test_a_batch_lists_every_bad_item_by_index_and_takes_none(api, world, build):
    cases = list(INVALID.values())
    good = [build.attendance(world.li, world.post, f"2026-03-{day:02}") for day in range(2, 2 + len(cases) + 1)]
    batch, expected = [], {}
    for index, case in enumerate(cases):
        bad, path = case(api, world, build)
        batch += [good[index], bad]
        expected[str(2 * index + 1)] = path
    batch.append(good[-1])

    errors = rejected(post_events(api, *batch))

    assert set(errors) == set(expected)
    for index, path in expected.items():
        messages_at(errors[index], path)
    assert statuses(post_events(api, *good)) == ["accepted"] * len(good)


def test_a_batch_with_the_same_new_id_twice_with_different_content_refuses_the_second(api, world, build):
    first = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)
    second = {**first, "data": {**first["data"], "minutes": 200}}

    errors = rejected(post_events(api, first, second))

    assert set(errors) == {"1"}
    messages_at(errors["1"], "id")
    assert statuses(api.post("/events", first)) == ["accepted"]


def test_a_batch_over_the_limit_is_too_large(api, world, build):
    batch = [build.attendance(world.li, world.post, "2026-03-02") for _ in range(1001)]

    response = post_events(api, *batch)

    assert response.status_code == 413
    assert response.content_type == PROBLEM_JSON
    assert statuses(post_events(api, *batch[:1000])) == ["accepted"] * 1000  # nothing was taken before


@pytest.mark.parametrize("body", [{"events": []}, {"events": "attendance"}, [1, 2], 7])
def test_a_body_that_is_no_event_or_batch_is_refused(api, world, body):
    response = api.post("/events", body)

    assert response.status_code == 422
    assert response.content_type == PROBLEM_JSON


def test_a_body_that_is_not_json_is_a_bad_request(app, admin_token):
    response = app.test_client().post("/api/v1/events", data=b"{not json", content_type="application/json",
                                      headers={"Authorization": f"Bearer {admin_token}"})

    assert response.status_code == 400
    assert response.content_type == PROBLEM_JSON
    assert response.get_json()["errors"] == {"json": ["Invalid JSON body."]}


# --- who may log work ----------------------------------------------------------------------------------


def test_a_supervisor_logs_work_for_their_site(api, world, build, token):
    supervisor = api.as_token(token("supervisor", world.county, sites=[world.glove]))

    assert statuses(supervisor.post("/events", build.output(world.li, world.glove, "2026-03-02", "GLOVE", 5))) == [
        "accepted"]


def test_a_supervisor_of_one_site_may_not_log_work_for_another(api, world, build, token):
    supervisor = api.as_token(token("supervisor", world.county, sites=[world.glove]))
    elsewhere = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)

    response = post_events(supervisor, build.output(world.li, world.glove, "2026-03-02", "GLOVE", 5), elsewhere)

    assert response.status_code == 403
    assert response.content_type == PROBLEM_JSON
    assert world.sewing in response.get_json()["detail"]
    assert statuses(api.post("/events", elsewhere)) == ["accepted"]


@pytest.mark.parametrize("role", ["poverty_office", "post_manager"])
def test_offices_that_do_not_log_work_are_forbidden(api, world, build, token, role):
    caller = api.as_token(token(role, world.county))

    response = caller.post("/events", build.attendance(world.li, world.post, "2026-03-02"))

    assert response.status_code == 403
    assert response.content_type == PROBLEM_JSON


def test_a_regional_admin_may_not_log_work_outside_its_region(api, world, build, token):
    county_admin = api.as_token(token("admin", world.county))

    assert statuses(county_admin.post("/events", build.attendance(world.li, world.post, "2026-03-02"))) == [
        "accepted"]
    assert county_admin.post("/events", build.attendance(world.chen, world.far, "2026-03-02")).status_code == 403


def test_posting_events_without_a_token_is_unauthorized(api, world, build):
    response = api.as_token(None).post("/events", build.attendance(world.li, world.post, "2026-03-02"))

    assert response.status_code == 401
    assert response.content_type == PROBLEM_JSON


# --- dead letters --------------------------------------------------------------------------------------


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


# --- health and documentation --------------------------------------------------------------------------


def test_the_process_is_alive_and_ready(app):
    client = app.test_client()

    health, ready = client.get("/healthz"), client.get("/readyz")

    assert (health.status_code, health.get_json()) == (200, {"status": "ok"})
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ready", "bus": "embedded"}


DOC_ENDPOINTS = {"api-docs.openapi_json", "api-docs.openapi_swagger_ui", "docs_assets.swagger_asset"}


def test_the_openapi_document_describes_every_api_path_and_the_bearer_scheme(app):
    response = app.test_client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert {"bearerAuth": []} in spec["security"]
    served = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint not in DOC_ENDPOINTS
    }
    assert served and served <= set(spec["paths"])
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                assert operation["responses"], f"{method} {path} documents no response"
    for path in ("/healthz", "/readyz"):
        assert path in spec["paths"]


class _AssetLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def test_the_interactive_docs_load_every_asset_locally(app):
    client = app.test_client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert page.content_type.startswith("text/html")
    links = _AssetLinks()
    links.feed(page.get_data(as_text=True))
    page.close()

    assert len(links.urls) >= 2
    for url in links.urls:
        assert not re.match(r"^(https?:)?//", url), f"{url} is not served by us"
        asset = client.get(url)
        try:
            assert asset.status_code == 200, url
            assert asset.get_data()
        finally:
            asset.close()
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    spec.close()


def test_an_unreachable_database_answers_503_with_retry_after(api, world, runtime, monkeypatch):
    def refuse():
        raise sqlite3.OperationalError("unable to open database file")

    runtime.engine.dispose()
    monkeypatch.setattr(runtime.engine.pool, "_creator", refuse)  # every new connection now fails
    response = api.get("/workers/w-li")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.headers["Content-Type"] == "application/problem+json"
