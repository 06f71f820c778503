"""Post events to the API and read its answers: the status of each event, or the errors of a refused batch."""
from __future__ import annotations

PROBLEM_JSON = "application/problem+json"


def post_events(api, *events):
    return api.post("/events", {"events": list(events)})


def statuses(response) -> list[str]:
    assert response.status_code == 202, response.get_json()
    return [r["status"] for r in response.get_json()["results"]]


def messages_at(errors: dict, path: str) -> list[str]:
    node = errors
    for part in path.split("."):
        assert isinstance(node, dict) and part in node, f"no errors at {path}: {errors}"
        node = node[part]
    assert isinstance(node, list) and node and all(isinstance(m, str) for m in node), node
    return node
