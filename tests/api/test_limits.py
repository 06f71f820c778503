"""Limits: requests per token (429 with Retry-After), body sizes (413), page sizes; all as problem+json."""
from __future__ import annotations

import dataclasses
import io
import time

import pytest
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from app import create_app
from app.api.limits import MAX_URI_BYTES, SWEEP_EVERY_S, RateLimits
from app.settings import Settings

PROBLEM_JSON = "application/problem+json"
REGISTER = b"worker_id,site_id,date,status\r\n"
ROW = b"w-wang,ws-sewing,2026-03-10,present\r\n"


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, rate_limit_reads="3/minute", rate_limit_writes="2/minute",
                               max_request_bytes=1024, max_import_bytes=4096)


def read(api, world):
    return api.get(f"/regions/{world.county}")


def too_many(response) -> int:
    """The seconds a 429 asks to wait."""
    assert response.status_code == 429, response.get_json()
    assert response.content_type == PROBLEM_JSON
    assert response.get_json()["status"] == 429
    return int(response.headers["Retry-After"])


def test_a_token_over_its_read_limit_gets_429_with_retry_after(api, world):
    assert [read(api, world).status_code for _ in range(3)] == [200, 200, 200]

    assert 1 <= too_many(read(api, world)) <= 60


def test_another_token_is_not_counted_with_the_first(api, world, token):
    for _ in range(3):
        read(api, world)
    too_many(read(api, world))

    other = api.as_token(token("poverty_office", world.county))

    assert read(other, world).status_code == 200


def test_reads_and_writes_are_counted_apart(api, world):
    for _ in range(3):
        read(api, world)
    too_many(read(api, world))

    region = {"code": "360702101202", "name": "Xiaba East", "level": "village", "parent_code": "360702101"}
    assert api.post("/regions", region).status_code == 201
    assert api.post("/regions", {**region, "code": "360702101203"}).status_code == 201
    too_many(api.post("/regions", {**region, "code": "360702101204"}))


def test_callers_without_a_token_are_counted_by_address(app, world):
    client = app.test_client()
    assert [client.get(f"/api/v1/regions/{world.county}").status_code for _ in range(3)] == [401] * 3

    too_many(client.get(f"/api/v1/regions/{world.county}"))


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probes_and_metrics_are_not_limited(app, path):
    client = app.test_client()

    assert {client.get(path).status_code for _ in range(10)} == {200}


class _Unreachable(MemoryStorage):
    """A shared counter store that is down: every count raises its connection error."""

    @property
    def base_exceptions(self):
        return ConnectionError

    def incr(self, *args, **kwargs):
        raise ConnectionError("no route to the rate-limit storage")


def test_with_the_shared_storage_down_each_process_counts_in_memory_then_tries_it_again(app, api, world):
    limits = app.extensions["rate_limits"]
    limits.shared = SlidingWindowCounterRateLimiter(_Unreachable())

    assert [read(api, world).status_code for _ in range(3)] == [200, 200, 200]  # served, not refused
    too_many(read(api, world))  # and still counted
    assert limits.shared_down_until > 0

    limits.shared = SlidingWindowCounterRateLimiter(MemoryStorage())  # back up: tried again once its time comes
    too_many(read(api, world))
    limits.shared_down_until = 0.0
    assert read(api, world).status_code == 200


def test_counting_in_memory_starts_no_thread_per_request(app, api, world):
    storage = app.extensions["rate_limits"].local.storage
    first = storage.timer
    first.join(timeout=5)  # the one MemoryStorage starts when it is made

    for _ in range(3):
        read(api, world)
    too_many(read(api, world))

    assert storage.timer is first and not first.is_alive()  # MemoryStorage itself starts one per count


def test_counts_in_memory_of_callers_gone_quiet_are_forgotten_every_sweep():
    limiter = RateLimits(Settings(rate_limit_reads="3/minute")).local
    item = parse("3/minute")
    limiter.hit(item, "stablework", "reads", "token:gone")
    storage = limiter.storage
    (key,) = storage.storage
    storage.expirations[key] = time.time() - 1  # its window and the one after it are over

    limiter.hit(item, "stablework", "reads", "token:active")
    assert key in storage.storage  # not yet: the last sweep is recent

    storage.swept_at -= SWEEP_EVERY_S
    limiter.hit(item, "stablework", "reads", "token:active")
    assert key not in storage.storage and len(storage.storage) == 1


def test_a_body_over_the_request_limit_is_413_problem_json(api, world):
    region = {"code": "360702101202", "name": "x" * 1100, "level": "village", "parent_code": "360702101"}

    response = api.post("/regions", region)

    assert response.status_code == 413
    assert response.content_type == PROBLEM_JSON
    assert "1024 bytes" in response.get_json()["detail"]


def test_a_body_without_content_length_is_cut_at_the_limit(api, world):
    body = b'{"code": "360702101202", "name": "' + b"x" * 2000 + b'"}'
    response = api.client.post("/api/v1/regions", input_stream=io.BytesIO(body), content_type="application/json",
                               headers={"Authorization": f"Bearer {api.token}"},
                               environ_overrides={"wsgi.input_terminated": True})

    assert response.status_code == 413
    assert response.content_type == PROBLEM_JSON


def test_a_register_may_be_larger_than_other_bodies_up_to_its_own_limit(api, world):
    headers = {"Authorization": f"Bearer {api.token}"}
    fits = REGISTER + ROW * 50  # about 1,900 bytes: over the request limit, under the import limit
    too_large = REGISTER + ROW * 120

    taken = api.client.post("/api/v1/imports/attendance", data=fits, content_type="text/csv", headers=headers)
    refused = api.client.post("/api/v1/imports/attendance", data=too_large, content_type="text/csv", headers=headers)

    assert taken.status_code == 422  # read and judged (one worker, one day, fifty times), not refused for size
    assert refused.status_code == 413
    assert refused.content_type == PROBLEM_JSON


@pytest.mark.parametrize("path", ["/alerts", "/dead-letters", "/webhooks", "/workers/w-li/wages"])
def test_a_uri_over_the_limit_is_414_problem_json_before_its_parameters_are_judged(api, world, path):
    response = api.get(path, cursor="c" * MAX_URI_BYTES)

    assert response.status_code == 414
    assert response.content_type == PROBLEM_JSON
    assert f"{MAX_URI_BYTES} bytes" in response.get_json()["detail"]


def test_a_uri_just_under_the_limit_is_judged_as_usual(api, world):
    path = "/api/v1/alerts?cursor="

    response = api.get("/alerts", cursor="c" * (MAX_URI_BYTES - len(path)))

    assert response.status_code == 422
    assert "cursor" in response.get_json()["errors"]


@pytest.mark.parametrize("path", ["/alerts", "/dead-letters", "/webhooks", "/workers/w-li/wages"])
def test_no_list_gives_more_than_500_items_a_page(api, world, path):
    response = api.get(path, limit=501)

    assert response.status_code == 422
    assert "limit" in response.get_json()["errors"]


def test_every_list_is_paginated_up_to_500_or_bounded_by_nature(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    pages, arrays = {}, set()
    for path, operations in spec["paths"].items():
        answer = operations.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
        schema = answer.get("application/json", {}).get("schema", {})
        schema = schemas[schema["$ref"].rsplit("/", 1)[1]] if "$ref" in schema else schema
        if schema.get("type") == "array":
            arrays.add(path)
        elif {"items", "next_cursor"} <= set(schema.get("properties", {})):
            pages[path] = [p["schema"] for p in operations["get"].get("parameters", []) if p["name"] == "limit"]

    assert len(pages) >= 5
    assert {path: [s["maximum"] for s in limit] for path, limit in pages.items()} == {path: [500] for path in pages}
    # Not paginated, and bounded by what they are: a search by national id (a few matches), one worker's
    # assignments, one site's months, one region's migrant baselines (one a year).
    assert arrays == {"/api/v1/workers", "/api/v1/workers/{worker_id}/assignments", "/api/v1/sites/{site_id}/periods",
                      "/api/v1/labour-baselines"}


def test_the_limits_come_from_the_environment():
    settings = Settings.from_env({"MAX_REQUEST_BYTES": "1000", "MAX_IMPORT_BYTES": "5000",
                                  "RATE_LIMIT_READS": "5/second", "RATE_LIMIT_WRITES": "1/second",
                                  "RATE_LIMIT_STORAGE_URL": "redis://cache:6379/0"})

    assert (settings.max_request_bytes, settings.max_import_bytes) == (1000, 5000)
    assert (settings.rate_limit_reads, settings.rate_limit_writes) == ("5/second", "1/second")
    assert settings.rate_limit_storage_url == "redis://cache:6379/0"


def test_a_rate_that_is_no_rate_stops_the_app_at_start(runtime):
    settings = dataclasses.replace(runtime.settings, rate_limit_writes="plenty")

    with pytest.raises(ValueError):
        create_app(runtime=dataclasses.replace(runtime, settings=settings))
