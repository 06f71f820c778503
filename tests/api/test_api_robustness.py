"""What the fuzzer (test_api_fuzz.py) found, pinned down: no input breaks the API or leaves its documentation."""
from __future__ import annotations

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
