"""What the fuzzer (test_fuzz.py) found, pinned down: no input breaks the API or leaves its documentation."""
from __future__ import annotations

import json
import re

import pytest

PROBLEM_JSON = "application/problem+json"


def test_a_row_id_beyond_bigint_names_nothing_rather_than_overflowing(api, world):
    response = api.get(f"/payment-batches/{2**63}")

    assert response.status_code == 404
    assert response.content_type == PROBLEM_JSON


@pytest.mark.parametrize("month", ["0000-01", "9999-12", "1899-12", "3000-01"])
def test_a_month_outside_1900_to_2999_is_refused_not_computed(api, world, month):
    response = api.post("/alerts/evaluate", {"month": month, "as_of": "2026-04-05"})

    assert response.status_code == 422
    assert "month" in response.get_json()["errors"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_outside_1900_to_2999_is_refused_not_computed(api, world, day):
    response = api.post("/alerts/evaluate", {"month": "2026-03", "as_of": day})

    assert response.status_code == 422
    assert "as_of" in response.get_json()["errors"]


def test_a_period_month_outside_the_span_is_refused(api, world):
    response = api.get(f"/sites/{world.glove}/periods/9999-12")

    assert response.status_code == 422


def test_a_method_not_allowed_names_the_allowed_ones(api, world):
    response = api.client.delete(f"/api/v1/regions/{world.county}", headers={"Authorization": f"Bearer {api.token}"})

    assert response.status_code == 405
    assert response.content_type == PROBLEM_JSON
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_the_alert_evaluation_is_not_also_an_alert_named_evaluate(api, world):
    response = api.client.options("/api/v1/alerts/evaluate")

    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}


def test_a_caller_without_a_token_is_refused_before_its_body_is_judged(app, world):
    response = app.test_client().post("/api/v1/events", json={"events": [None]})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("method, path, body, query", [
    ("post", "/events", {"events": [None]}, None),  # the body
    ("post", "/events", "not json", None),  # no JSON at all (400)
    ("get", "/workers/w-li/balance", None, {"period": "March"}),  # the query
    ("get", "/dead-letters", None, {"limit": "many"}),
])
def test_a_bad_token_is_refused_before_its_input_is_judged(app, world, method, path, body, query):
    headers = {"Authorization": "Bearer swk_not-a-token"}
    send = getattr(app.test_client(), method)
    kwargs = {"data": body, "content_type": "application/json"} if isinstance(body, str) else {"json": body}

    response = send(f"/api/v1{path}", query_string=query, headers=headers, **kwargs)

    assert response.status_code == 401
    assert response.content_type == PROBLEM_JSON
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "errors" not in response.get_json()


def test_a_bad_token_is_refused_before_its_idempotency_key_is_judged(app, world):
    response = app.test_client().post("/api/v1/regions", json={"code": "37"}, headers={
        "Authorization": "Bearer swk_not-a-token", "Idempotency-Key": "\x01"})

    assert response.status_code == 401


def test_a_role_the_endpoint_does_not_serve_is_refused_before_its_body_is_judged(api, world, token):
    office = api.as_token(token("poverty_office", world.county))

    assert office.post("/events", {"events": [None]}).status_code == 403
    assert api.post("/events", {"events": [None]}).status_code == 422  # the admin's: judged


def test_every_error_the_document_lists_is_problem_json_and_there_is_no_catch_all(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    components = spec["components"]["responses"]
    responses = [(f"{method} {path}", code, components[r["$ref"].rsplit("/", 1)[1]] if "$ref" in r else r)
                 for path, operations in spec["paths"].items() for method, operation in operations.items()
                 if method != "parameters" for code, r in operation["responses"].items()]

    assert not [(operation, code) for operation, code, _ in responses if code == "default"]
    assert not [(operation, code) for operation, code, response in responses
                if int(code) >= 400 and list(response.get("content", {})) != [PROBLEM_JSON]]


def test_every_rate_limited_operation_documents_429_with_retry_after(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    operations = {f"{method.upper()} {path}": operation for path, item in spec["paths"].items()
                  for method, operation in item.items() if method != "parameters"}

    assert {name for name, operation in operations.items() if "429" not in operation["responses"]} == {
        "GET /healthz", "GET /readyz"}
    assert spec["components"]["responses"]["TOO_MANY_REQUESTS"]["headers"]["Retry-After"]["required"] is True


NUL_WORKER = {"household_id": "h-li", "name": "Li\u0000Na"}


def refused(response, status: int, where: str) -> dict:
    """A problem+json refusal of `status` whose detail names `where` the bad input is."""
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.content_type == PROBLEM_JSON
    body = response.get_json()
    assert where in body["detail"], body
    return body


def test_a_nul_in_a_json_text_field_is_refused_naming_the_field(api, world):
    body = refused(api.post("/workers", NUL_WORKER), 422, "name")

    assert "NUL" in body["errors"]["name"][0]
    assert api.get("/workers/w-li").status_code == 200  # nothing else is refused


def test_a_lone_surrogate_in_a_json_text_field_is_refused(api, world):
    response = api.client.post("/api/v1/workers", data='{"household_id": "h-li", "name": "Li \\ud800"}',
                               content_type="application/json", headers={"Authorization": f"Bearer {api.token}"})

    assert "surrogate" in refused(response, 422, "name")["errors"]["name"][0]


def test_a_pair_of_surrogates_is_one_character_and_taken(api, world):
    response = api.client.post("/api/v1/workers", data='{"household_id": "h-li", "name": "Li \\ud83d\\ude00"}',
                               content_type="application/json", headers={"Authorization": f"Bearer {api.token}"})

    assert response.status_code == 201
    assert response.get_json()["name"] == "Li \U0001F600"


def test_a_nul_in_a_json_key_is_refused(api, world):
    refused(api.post("/workers", {"household_id": "h-li", "name": "Li", "na\u0000me": "x"}), 422, "key")


def events_refused(response) -> dict:
    """The event intake's refusal: every bad item by its index."""
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert response.content_type == PROBLEM_JSON
    return response.get_json()["errors"]


def test_every_event_of_a_batch_with_a_nul_is_refused_by_its_index(api, world, build):
    events = [build.output(world.li, world.glove, "2026-03-02", "GLOVE\u0000", 5),
              build.attendance(world.li, world.glove, "2026-03-02"),
              build.void(world.li, world.glove, "e3c6d0f4-8a8b-4a41-a2f4-8d3c2f1f0a11")]
    events[2]["data"]["reason"] = "counted\u0000twice"

    errors = events_refused(api.post("/events", {"events": events}))

    assert errors["0"]["data"]["product"] and errors["2"]["data"]["reason"]
    assert "1" not in errors


# (Not `time` nor `check_in`: they are read as a moment, a trailing NUL and all, and stored as one, not as text.)
@pytest.mark.parametrize("field", ["id", "source", "type", "data.worker_id", "data.site_id", "data.date",
                                   "data.status"])
def test_a_nul_in_any_text_field_of_an_event_is_refused(api, world, build, field):
    event = build.attendance(world.li, world.sewing, "2026-03-02", check_in="08:00", check_out="17:00")
    place = event["data"] if field.startswith("data.") else event
    name = field.removeprefix("data.")
    place[name] = place[name] + "\u0000"

    errors = events_refused(api.post("/events", event))["0"]

    assert (errors["data"] if field.startswith("data.") else errors)[name]


def test_a_nul_in_a_binary_mode_event_is_refused_in_its_header_and_in_its_data(api, world, build):
    event = build.attendance(world.li, world.sewing, "2026-03-02", minutes=480)
    headers = {"Authorization": f"Bearer {api.token}", "ce-specversion": "1.0", "ce-id": event["id"],
               "ce-type": event["type"], "ce-time": event["time"]}
    data = {**event["data"], "worker_id": "w-li\u0000"}

    in_header = api.client.post("/api/v1/events", json=event["data"], headers={**headers, "ce-source": "tab%00let"})
    in_data = api.client.post("/api/v1/events", json=data, headers={**headers, "ce-source": "tablet"})

    assert events_refused(in_header)["0"]["source"]
    assert events_refused(in_data)["0"]["data"]["worker_id"]


def test_a_nul_in_a_batched_mode_event_is_refused_naming_its_place(api, world, build):
    events = [build.attendance(world.li, world.sewing, "2026-03-02", minutes=480),
              build.attendance(world.li, world.sewing, "2026-03-03", minutes=480)]
    events[1]["source"] = "tablet\u0000"
    response = api.client.post("/api/v1/events", data=json.dumps(events),
                               content_type="application/cloudevents-batch+json",
                               headers={"Authorization": f"Bearer {api.token}"})

    assert set(events_refused(response)) == {"1"}


def test_a_nul_in_the_help_given_for_an_alert_is_refused(api, world):
    alerts = api.post("/alerts/evaluate", {"month": "2026-03", "as_of": "2026-04-20"}).get_json()["alerts"]
    alert = alerts[0]["id"]
    assert api.post(f"/alerts/{alert}/acknowledge", {}).status_code == 200

    refused(api.post(f"/alerts/{alert}/resolve", {"help_given": "a job\u0000offer"}), 422, "help_given")
    assert api.get(f"/alerts/{alert}").get_json()["status"] == "acknowledged"


def test_a_nul_in_a_path_parameter_is_refused_naming_the_parameter(api, world):
    body = refused(api.get("/workers/a%00b/balance"), 422, "worker_id")

    assert "NUL" in body["errors"]["worker_id"][0]


@pytest.mark.parametrize("query", [{"region": "36\u0000"}, {"cursor": "\u0000"}, {"sta\u0000tus": "open"}])
def test_a_nul_in_a_query_parameter_is_refused_naming_the_parameter(api, world, query):
    body = refused(api.get("/alerts", **query), 422, "query parameter")

    assert "NUL" in next(iter(body["errors"].values()))[0]


@pytest.mark.parametrize("path", ["/workers", "/events", "/alerts/evaluate"])
def test_a_body_nested_100000_deep_is_refused_as_bad_request(api, world, path):
    response = api.client.post(f"/api/v1{path}", data="[" * 100_000, content_type="application/json",
                               headers={"Authorization": f"Bearer {api.token}"})

    refused(response, 400, "deeper")


def test_a_body_nested_past_the_bound_is_refused_even_when_it_is_valid_json(api, world, build):
    event = build.attendance(world.li, world.glove, "2026-03-02")
    nested: list = []
    for _ in range(100):
        nested = [nested]
    event["data"]["note"] = nested

    refused(api.post("/events", event), 400, "deeper")


def operations_by_rule(app) -> list[tuple[object, str, dict]]:
    """(rule, method, documented operation) for every route of the URL map the document describes."""
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    found = []
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation = spec["paths"].get(path, {}).get(method.lower())
            if operation is not None:
                found.append((rule, method, operation))
    return found


def test_every_operation_documents_what_the_common_rules_can_answer(app):
    operations = operations_by_rule(app)
    missing = {}
    for rule, method, operation in operations:
        expected = {"414"}  # any URI may be too long
        if rule.arguments:
            expected |= {"404", "422"}  # names nothing, or a path parameter holds what no text may
        if any(p["in"] == "query" for p in operation.get("parameters", []) if "in" in p):
            expected |= {"422"}
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            expected |= {"400", "413", "422"}  # a JSON body too deep or not JSON, too large, or with bad text
        if expected - set(operation["responses"]):
            missing[f"{method} {rule.rule}"] = sorted(expected - set(operation["responses"]))

    assert len(operations) >= 47
    assert missing == {}
