"""GET /voids: the voids that came before their output, page by page, by status, within the caller's sites."""
from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def waiting(api, world, build, consume) -> list[str]:
    """Three voids at the glove workshop whose outputs have not come, and one whose output has."""
    voids = [build.void(world.li, world.glove, str(uuid.uuid4())) for _ in range(3)]
    output = build.output(world.li, world.glove, "2026-03-02", "GLOVE", 5)
    assert api.post("/events", {"events": [*voids, build.void(world.li, world.glove, output["id"]), output]}
                    ).status_code == 202
    consume()
    return [void["id"] for void in voids]


def test_waiting_voids_are_listed_oldest_first_page_by_page(api, waiting):
    first = api.get("/voids", status="pending", limit=2).get_json()
    second = api.get("/voids", status="pending", limit=2, cursor=first["next_cursor"]).get_json()

    assert [v["event_id"] for v in first["items"] + second["items"]] == waiting
    assert second["next_cursor"] is None
    assert all(v["status"] == "pending" and v["settled_at"] is None for v in first["items"])
    assert len(api.get("/voids").get_json()["items"]) == 4  # with the one its output settled
    [applied] = api.get("/voids", status="applied").get_json()["items"]
    assert applied["settled_at"] is not None


def test_a_supervisor_sees_the_voids_of_their_own_sites(api, world, token, waiting):
    glove = api.as_token(token("supervisor", world.county, sites=[world.glove]))
    sewing = api.as_token(token("supervisor", world.county, sites=[world.sewing]))

    assert [v["event_id"] for v in glove.get("/voids", status="pending").get_json()["items"]] == waiting
    assert sewing.get("/voids").get_json()["items"] == []
    assert sewing.get("/voids", site=world.glove).status_code == 403


@pytest.mark.parametrize("query, field", [({"status": "lost"}, "status"), ({"cursor": "%%%"}, "cursor"),
                                          ({"site": "ws-nowhere"}, "site"), ({"limit": 0}, "limit")])
def test_a_bad_query_is_refused_with_the_field_at_fault(api, query, field):
    response = api.get("/voids", **query)

    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert field in response.get_json()["errors"]


def test_an_admin_of_another_county_sees_none_and_may_not_name_its_sites(api, world, token, waiting):
    elsewhere = api.as_token(token("admin", world.other_county))

    assert elsewhere.get("/voids").get_json()["items"] == []
    assert elsewhere.get("/voids", site=world.glove).status_code == 403
