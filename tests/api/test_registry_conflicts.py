"""Every registry view refuses a taken id with a 409 that names it, and answers a missing record with a
404 that names what is missing, as application/problem+json."""
from __future__ import annotations

import pytest

PROBLEM_JSON = "application/problem+json"


def problem(response, status: int) -> str:
    assert response.status_code == status, response.get_json()
    assert response.content_type == PROBLEM_JSON
    return response.get_json()["detail"]


def test_a_taken_id_is_a_conflict_named_by_the_view_it_was_sent_to(api, world):
    worker = {"id": world.wang, "household_id": "h-wang", "name": "Wang again"}
    site = {"id": world.glove, "kind": "workshop", "name": "G", "region_code": world.village}
    household = {"id": "h-li", "region_code": world.village, "size": 1, "status": "other"}
    region = {"code": world.county, "name": "Zhanggong again", "level": "county", "parent_code": world.city}

    assert problem(api.post("/workers", worker), 409) == f"worker {world.wang} exists"
    assert problem(api.post("/sites", site), 409) == f"site {world.glove} exists"
    assert problem(api.post("/households", household), 409) == "household h-li exists"
    assert problem(api.post("/regions", region), 409) == f"region {world.county} exists"


def test_an_assignment_id_taken_at_another_site_is_a_conflict(api, world):
    first = {"id": "a-wang-glove", "worker_id": world.wang, "site_id": world.glove, "start_date": "2026-03-01",
             "scheme": {"kind": "piece", "rates": {"GLOVE": 30}}}
    api.created("/assignments", first)
    again = {**first, "site_id": world.post, "scheme": {"kind": "monthly", "stipend_fen": 60000,
                                                        "required_days": 20}}

    assert problem(api.post("/assignments", again), 409) == "assignment a-wang-glove exists"


@pytest.mark.parametrize("path, missing", [
    ("/workers/w-nobody", "worker"),
    ("/workers/w-nobody/assignments", "worker"),
    ("/sites/ws-nowhere", "site"),
    ("/households/h-nobody", "household"),
    ("/households/h-nobody/income", "household"),
])
def test_a_record_that_does_not_exist_is_not_found_by_name(api, world, path, missing):
    assert problem(api.get(path), 404) == f"no such {missing}"
