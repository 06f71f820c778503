"""Text PostgreSQL cannot store (NUL, a lone surrogate) is refused at the API's edge as problem+json, never
handed to the database to fail on (which answered 500)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.postgres

PROBLEM_JSON = "application/problem+json"


@pytest.fixture(scope="module")
def pg_api(pg_village_api):
    pg_village_api.created("/households", {"id": "h-text", "region_code": "360702101201", "size": 2, "status": "poor"})
    return pg_village_api


def refused_with_422(response) -> dict:
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert response.content_type == PROBLEM_JSON
    return response.get_json()


def test_a_worker_named_with_a_nul_is_refused_and_not_stored(pg_api):
    body = refused_with_422(pg_api.post("/workers", {"id": "w-nul", "household_id": "h-text", "name": "Li\u0000Na"}))

    assert "name" in body["errors"]
    assert pg_api.get("/workers/w-nul").status_code == 404


def test_a_worker_named_with_a_lone_surrogate_is_refused(pg_api):
    response = pg_api.client.post("/api/v1/workers", data='{"household_id": "h-text", "name": "Li\\ud800"}',
                                  content_type="application/json", headers={"Authorization": f"Bearer {pg_api.token}"})

    assert "name" in refused_with_422(response)["errors"]


def test_a_balance_asked_for_a_worker_id_with_a_nul_is_refused(pg_api):
    assert "worker_id" in refused_with_422(pg_api.get("/workers/a%00b/balance"))["errors"]


def test_a_nul_in_a_query_parameter_is_refused(pg_api):
    assert refused_with_422(pg_api.get("/audit", actor="a\u0000b"))["errors"]
