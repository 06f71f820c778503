"""POST /events: who may log work, and for which sites and regions."""
from __future__ import annotations

import pytest
from support.event_posts import PROBLEM_JSON, post_events, statuses


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
