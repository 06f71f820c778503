"""A household's status, region and size change by PATCH, recorded in the audit log before and after and refused to
the roles and regions that do not keep households. A size changes from a month on: each month's per-capita income
divides by the size of that month, and so do the alert rules."""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import delete, select
from support.problems import assert_problem
from support.weeks import counts_from_records, stored_counts

from app.alerts.schedule import run_due_evaluation
from app.db.models import Alert, AlertEvaluation


@pytest.fixture
def settings(settings):
    # a line of 100 yuan a person a year: two days' pay at Wang's 120 yuan a day is above it for two, below for three
    return dataclasses.replace(settings, fixed_today=date(2026, 7, 10), alert_default_monitoring_line_yuan=100)


def patched(client, household: str, body: dict):
    return client.client.patch(f"/api/v1/households/{household}", json=body,
                               headers={"Authorization": f"Bearer {client.token}"})


def changed(client, household: str, body: dict) -> dict:
    response = patched(client, household, body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_an_office_changes_a_households_status_region_and_size_and_the_audit_log_keeps_both(api, world, token):
    office = api.as_token(token("poverty_office", world.county))
    answer = changed(office, "h-wang", {"status": "poor", "size": 5, "size_from": "2026-04"})
    assert (answer["status"], answer["size"]) == ("poor", 5)
    assert api.get("/households/h-wang").get_json()["size"] == 5

    entries = [item for item in api.get("/audit", limit=500).get_json()["items"]
               if item["endpoint"] == "households.HouseholdChanges"]
    [household] = [entry for entry in entries if entry["table"] == "households"]
    assert (household["row_key"], household["before"], household["after"]) == (
        "h-wang", {"size": 3, "status": "monitored"}, {"size": 5, "status": "poor"})
    assert sorted((entry["after"]["from_month"], entry["after"]["size"]) for entry in entries
                  if entry["table"] == "household_sizes") == [("0000-01", 3), ("2026-04", 5)]


def test_per_capita_income_divides_each_month_by_the_size_of_that_month(api, world, build, consume):
    assert api.post("/events", {"events": [build.attendance(world.wang, world.sewing, day)
                                           for day in ("2026-03-10", "2026-04-01")]}).status_code == 202
    consume()
    changed(api, "h-wang", {"size": 4, "size_from": "2026-04"})

    income = api.get("/households/h-wang/income", months=2, to="2026-04").get_json()
    assert [(m["month"], m["size"], m["per_capita_fen"]) for m in income["months"]] == [
        ("2026-03", 3, 4000), ("2026-04", 4, 3000)]
    assert (income["size"], income["per_capita_total_fen"]) == (4, 7000)


def test_the_line_rules_read_the_size_of_the_month_evaluated(api, world, build, consume):
    assert api.post("/events", {"events": [build.attendance(world.wang, world.sewing, day)
                                           for day in ("2026-05-04", "2026-05-05")]}).status_code == 202
    consume()
    changed(api, "h-wang", {"size": 2, "size_from": "2026-06"})

    def below_line(month: str, as_of: str) -> list[str]:
        response = api.post("/alerts/evaluate", {"month": month, "as_of": as_of})
        assert response.status_code == 200, response.get_json()
        return [a["subject_id"] for a in response.get_json()["alerts"] if a["kind"] == "below_line"]

    assert "h-wang" in below_line("2026-05", "2026-06-05")  # three people: 24,000 fen < 3 x 10,000
    assert "h-wang" not in below_line("2026-06", "2026-07-05")  # two from June: 24,000 fen >= 2 x 10,000


def test_input_that_cannot_be_is_refused_naming_its_field(api, world):
    for body, field in (({"size": 0}, "size"), ({"size": 4, "size_from": "2026-13"}, "size_from"),
                        ({"size_from": "2026-04"}, "size_from"), ({"size": 4, "size_from": "2026-08"}, "size_from"),
                        ({"status": "rich"}, "status"), ({"region_code": "999999"}, "region_code"),
                        ({}, "_schema"), ({"id": "h-x"}, "id")):
        assert field in assert_problem(patched(api, "h-wang", body), 422)["errors"], body
    assert api.get("/households/h-wang").get_json()["size"] == 3
    assert_problem(patched(api, "h-nobody", {"size": 2}), 404)


def test_roles_and_regions_that_do_not_keep_households_may_not_change_them(api, world, token):
    for role, region in (("post_manager", "360702"), ("supervisor", "360702"), ("poverty_office", "360703"),
                         ("admin", "360703")):
        caller = api.as_token(token(role, region, sites=[world.sewing] if role == "supervisor" else []))
        assert_problem(patched(caller, "h-wang", {"size": 2}), 403)
    assert api.get("/households/h-wang").get_json()["size"] == 3


def test_an_office_moves_a_household_only_inside_its_own_region(api, world, token):
    office = api.as_token(token("poverty_office", world.county))
    assert_problem(patched(office, "h-wang", {"region_code": world.other_village}), 403)
    assert changed(api, "h-wang", {"region_code": world.other_village})["region_code"] == world.other_village


def test_a_month_evaluated_again_sees_a_size_changed_under_a_later_one(api, world, build, consume, runtime):
    assert api.post("/events", {"events": [build.attendance(world.wang, world.sewing, day)
                                           for day in ("2026-05-04", "2026-05-05")]}).status_code == 202
    consume()
    changed(api, "h-wang", {"size": 4, "size_from": "2026-06"})
    changed(api, "h-wang", {"size": 2, "size_from": "2026-01"})  # May: two people, 24,000 fen is not below
    run_due_evaluation(runtime, date(2026, 6, 10))
    with runtime.sessions.begin() as session:
        assert session.scalar(select(Alert.id).where(Alert.subject_id == "h-wang", Alert.kind == "below_line")) is None
        session.execute(delete(AlertEvaluation))  # the month is due again

    changed(api, "h-wang", {"size": 3, "size_from": "2026-05"})  # its size now, June's 4, stays as it was
    run_due_evaluation(runtime, date(2026, 6, 10))

    with runtime.sessions.begin() as session:
        assert session.scalar(select(Alert.month).where(Alert.subject_id == "h-wang", Alert.kind == "below_line")) == (
            "2026-05")


def test_the_weeks_counted_follow_a_status_change_as_a_count_from_scratch_would(api, world, build, consume, runtime):
    days = ("2026-05-04", "2026-05-11")
    assert api.post("/events", {"events": [build.attendance(world.wang, world.sewing, day) for day in days]}
                    ).status_code == 202
    consume()
    changed(api, "h-wang", {"status": "other"})  # monitored: counted poor in the weeks already kept
    assert stored_counts(runtime) == counts_from_records(runtime)

    absent = [build.attendance(world.wang, world.sewing, days[0], "absent", time="2026-05-04T20:00:00+08:00")]
    assert api.post("/events", {"events": absent}).status_code == 202  # that week is no longer at work
    consume()
    assert stored_counts(runtime) == counts_from_records(runtime)
    assert {row[3] for row in stored_counts(runtime)["area_weeks"]} == {0}  # no poor worker at work
