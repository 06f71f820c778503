"""Assignments through the API: a worker at a site under a wage scheme, for a period that overlaps no other,
given by someone whose region holds both."""
from __future__ import annotations

import pytest
from support.problems import assert_problem


def test_an_assignment_stores_the_scheme_with_its_defaults(api, world):
    created = api.created("/assignments", {"worker_id": world.wang, "site_id": world.glove,
                                           "start_date": "2026-04-01", "scheme": {"kind": "piece",
                                                                                  "rates": {"GLOVE": 30}}})

    assert created["scheme"] == {"kind": "piece", "rates": {"GLOVE": 30}, "grades": {"A": 100, "B": 80, "C": 0}}
    assert (created["start_date"], created["end_date"]) == ("2026-04-01", None)


@pytest.mark.parametrize("scheme", [
    {"kind": "weekly", "rate_fen": 100},
    {"kind": "hourly"},
    {"kind": "hourly", "rate_fen": -1},
    {"kind": "hourly", "rate_fen": 1800, "overtime_multiplier": 1.3333333},
    {"kind": "piece", "rates": {}},
    {"kind": "piece", "rates": {"GLOVE": 30}, "grades": {"A": 120}},
    {"kind": "daily", "day_rate_fen": 12000, "bonus_fen": 5},
    "daily",
])
def test_a_bad_wage_scheme_is_refused_on_the_scheme_field(api, world, scheme):
    response = api.post("/assignments", {"worker_id": world.chen, "site_id": world.glove,
                                         "start_date": "2026-03-01", "scheme": scheme})

    assert set(assert_problem(response, 422)["errors"]) == {"scheme"}


@pytest.mark.parametrize("multiplier, kept, earned_fen", [
    (1.5, "1.5", 9600 + 3600), (1.25, "1.25", 9600 + 3000), (2, "2", 9600 + 4800)])
def test_an_overtime_multiplier_sent_as_an_exact_json_number_is_kept_as_its_decimal(
        api, world, build, consume, multiplier, kept, earned_fen):
    scheme = {"kind": "hourly", "rate_fen": 1200, "standard_minutes": 480, "overtime_multiplier": multiplier}
    created = api.created("/assignments", {"worker_id": world.chen, "site_id": world.sewing,
                                           "start_date": "2026-04-01", "scheme": scheme})
    # Ten hours: eight at 12 yuan, two at 12 yuan times the multiplier.
    day = build.attendance(world.chen, world.sewing, "2026-04-01", minutes=600, time="2026-04-01T18:00:00+08:00")
    assert api.post("/events", day).status_code == 202
    consume()

    assert created["scheme"]["overtime_multiplier"] == kept
    assert api.get(f"/workers/{world.chen}/assignments").get_json()[-1]["scheme"]["overtime_multiplier"] == kept
    assert api.get(f"/workers/{world.chen}/balance", period="2026-04").get_json()["earned_fen"] == earned_fen


def test_an_overtime_multiplier_a_json_number_cannot_hold_exactly_is_refused_saying_why(api, world):
    scheme = {"kind": "hourly", "rate_fen": 1200, "overtime_multiplier": 1.3333333}

    response = api.post("/assignments", {"worker_id": world.chen, "site_id": world.sewing,
                                         "start_date": "2026-04-01", "scheme": scheme})

    message = assert_problem(response, 422)["errors"]["scheme"][0]
    assert "1.3333333" in message and "not exact" in message and '"1.3333333"' in message
    scheme["overtime_multiplier"] = "1.3333333"  # the same decimal as a string is exact, and taken
    assert api.post("/assignments", {"worker_id": world.chen, "site_id": world.sewing,
                                     "start_date": "2026-04-01", "scheme": scheme}).status_code == 201


def test_a_post_pays_only_a_monthly_stipend(api, world):
    response = api.post("/assignments", {"worker_id": world.wang, "site_id": world.post,
                                         "start_date": "2026-03-01", "scheme": {"kind": "daily",
                                                                                "day_rate_fen": 3000}})

    assert "scheme" in assert_problem(response, 422)["errors"]


def test_a_workshop_does_not_pay_a_monthly_stipend(api, world):
    response = api.post("/assignments", {"worker_id": world.wang, "site_id": world.glove,
                                         "start_date": "2026-03-01", "scheme": {"kind": "monthly",
                                                                                "stipend_fen": 60000,
                                                                                "required_days": 20}})

    assert "scheme" in assert_problem(response, 422)["errors"]


def test_an_assignment_overlapping_another_of_the_same_worker_and_site_is_a_conflict(api, world):
    # Wang is at the sewing workshop from 2026-03-10 to 2026-06-30.
    overlapping = {"worker_id": world.wang, "site_id": world.sewing, "start_date": "2026-06-30",
                   "scheme": {"kind": "daily", "day_rate_fen": 13000}}

    assert_problem(api.post("/assignments", overlapping), 409)
    assert_problem(api.post("/assignments", {**overlapping, "start_date": "2026-01-01",
                                             "end_date": "2026-03-10"}), 409)


def test_assignments_of_the_same_worker_and_site_may_follow_each_other(api, world):
    after = api.created("/assignments", {"worker_id": world.wang, "site_id": world.sewing,
                                         "start_date": "2026-07-01",
                                         "scheme": {"kind": "daily", "day_rate_fen": 13000}})
    before = api.created("/assignments", {"worker_id": world.wang, "site_id": world.sewing,
                                          "start_date": "2026-01-01", "end_date": "2026-03-09",
                                          "scheme": {"kind": "daily", "day_rate_fen": 11000}})

    listed = api.get(f"/workers/{world.wang}/assignments").get_json()
    assert [a["id"] for a in listed][0] == before["id"]
    assert [a["id"] for a in listed][-1] == after["id"]


def test_an_assignment_ending_before_it_starts_is_refused(api, world):
    response = api.post("/assignments", {"worker_id": world.chen, "site_id": world.glove,
                                         "start_date": "2026-03-10", "end_date": "2026-03-09",
                                         "scheme": {"kind": "piece", "rates": {"GLOVE": 30}}})

    assert set(assert_problem(response, 422)["errors"]) == {"end_date"}


def test_an_assignment_of_an_unknown_worker_or_site_is_refused(api, world):
    body = {"worker_id": world.chen, "site_id": world.glove, "start_date": "2026-03-01",
            "scheme": {"kind": "piece", "rates": {"GLOVE": 30}}}

    assert "worker_id" in assert_problem(api.post("/assignments", {**body, "worker_id": "w-x"}), 422)["errors"]
    assert "site_id" in assert_problem(api.post("/assignments", {**body, "site_id": "ws-x"}), 422)["errors"]


def test_a_workers_assignments_are_listed_oldest_first(api, world):
    listed = api.get(f"/workers/{world.li}/assignments").get_json()

    assert {(a["site_id"], a["scheme"]["kind"]) for a in listed} == {
        (world.sewing, "hourly"), (world.glove, "piece"), (world.post, "monthly")}
    api.created("/assignments", {"worker_id": world.li, "site_id": world.far, "start_date": "2026-02-01",
                                 "scheme": {"kind": "daily", "day_rate_fen": 9000}})
    listed = api.get(f"/workers/{world.li}/assignments").get_json()
    assert listed[0]["site_id"] == world.far
    assert [a["start_date"] for a in listed] == ["2026-02-01", "2026-03-01", "2026-03-01", "2026-03-01"]


def test_a_post_manager_cannot_assign_at_a_site_outside_its_region(api, world, token):
    manager = api.as_token(token("post_manager", world.county))
    body = {"worker_id": world.wang, "start_date": "2026-04-01",
            "scheme": {"kind": "monthly", "stipend_fen": 60000, "required_days": 20}}

    manager.created("/assignments", {**body, "site_id": world.post})
    api.created("/sites", {"id": "post-far", "kind": "post", "name": "Far post", "region_code": world.other_village})
    assert_problem(manager.post("/assignments", {**body, "site_id": "post-far"}), 403)


def test_a_worker_of_another_county_is_assigned_only_by_someone_whose_region_holds_both(api, world, token):
    body = {"worker_id": world.chen, "site_id": world.post, "start_date": "2026-04-01",
            "scheme": {"kind": "monthly", "stipend_fen": 60000, "required_days": 20}}

    for role in ("post_manager", "admin"):
        assert_problem(api.as_token(token(role, world.county)).post("/assignments", body), 403)
    api.as_token(token("admin", world.city)).created("/assignments", body)
