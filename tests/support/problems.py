"""Check that an answer is an application/problem+json error of the status expected."""
from __future__ import annotations

PROBLEM_JSON = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    assert response.content_type == PROBLEM_JSON
    body = response.get_json()
    assert body["status"] == status
    assert body["title"]
    return body
