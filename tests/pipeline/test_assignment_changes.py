"""Changes of an assignment flow through the consumers like any fact: an approved month never changes, and what
it paid for days an assignment no longer covers, or by a scheme changed from a day in it, is corrected by an
adjustment in the site's next open month; an open month's lines are recomputed by the terms as they now stand."""
from __future__ import annotations

import pytest
from support.world import build as build  # client-made events (a fixture)
from support.world import world as world  # the registry these tests work on (a fixture)

from app.ledger.rebuild import rebuild_derived

pytestmark = pytest.mark.usefixtures("world")

WANG, SEWING = "w-wang", "ws-sewing"  # daily, 12,000 fen a day, from 2026-03-10 to 2026-06-30


def wang_at_sewing(api) -> str:
    return next(a["id"] for a in api.get(f"/workers/{WANG}/assignments").get_json() if a["site_id"] == SEWING)


def record(api, build, consume, *days: str) -> None:
    response = api.post("/events", {"events": [build.attendance(WANG, SEWING, day) for day in days]})
    assert response.status_code == 202, response.get_json()
    consume()


def approve_march(api, checker) -> int:
    assert api.post(f"/sites/{SEWING}/periods/2026-03/close", {}).status_code == 200
    return checker.post(f"/sites/{SEWING}/periods/2026-03/approve", {}).get_json()["totals"]["approved_fen"]


def change(api, consume, path: str, body: dict) -> dict:
    response = api.post(path, body)
    assert response.status_code == 202, response.get_json()
    consume()
    return response.get_json()


def month(api, period: str) -> dict:
    return api.get(f"/sites/{SEWING}/periods/{period}").get_json()


def lines(api) -> list[tuple[str, str, int]]:
    return sorted((line["date"], line["assignment_id"], line["amount_fen"])
                  for line in api.get(f"/workers/{WANG}/wages").get_json()["items"])


def test_work_after_an_end_moved_into_an_approved_month_is_taken_back_in_the_next_open_month(
        api, checker, build, consume):
    record(api, build, consume, "2026-03-10", "2026-03-11", "2026-03-12", "2026-03-13", "2026-04-01")
    assert approve_march(api, checker) == 48000

    change(api, consume, f"/assignments/{wang_at_sewing(api)}/end", {"end_date": "2026-03-11"})

    march = month(api, "2026-03")
    assert (march["totals"]["approved_fen"], march["totals"]["wages_fen"]) == (48000, 48000)  # never moves
    april = month(api, "2026-04")
    assert [(a["adjusts_month"], a["amount_fen"]) for a in april["adjustments"]] == [("2026-03", -24000)]
    assert [line[0] for line in lines(api)] == ["2026-03-10", "2026-03-11", "2026-03-12", "2026-03-13"]  # April's went


def test_an_end_moved_later_again_pays_the_days_recorded_after_the_first_end(api, checker, build, consume):
    record(api, build, consume, "2026-03-10", "2026-03-11", "2026-04-01")
    approve_march(api, checker)
    sewing = wang_at_sewing(api)
    change(api, consume, f"/assignments/{sewing}/end", {"end_date": "2026-03-10"})
    change(api, consume, f"/assignments/{sewing}/end", {"end_date": None})

    assert month(api, "2026-04")["adjustments"] == []  # taken back and given again: nothing owed either way
    assert lines(api)[-1] == ("2026-04-01", sewing, 12000)


def test_a_scheme_changed_from_a_day_of_an_approved_month_pays_the_difference_in_the_next_open_month(
        api, checker, build, consume):
    record(api, build, consume, "2026-03-10", "2026-03-11", "2026-03-12", "2026-04-01")
    approve_march(api, checker)
    sewing = wang_at_sewing(api)

    answer = change(api, consume, f"/assignments/{sewing}/scheme",
                    {"from_date": "2026-03-12", "scheme": {"kind": "daily", "day_rate_fen": 15000}})

    raised = answer["assignment_id"]
    assert month(api, "2026-03")["totals"]["approved_fen"] == 36000
    assert [(a["adjusts_month"], a["amount_fen"]) for a in month(api, "2026-04")["adjustments"]] == [("2026-03", 3000)]
    # the open month's line is paid by the scheme as it now stands
    assert lines(api)[-1] == ("2026-04-01", raised, 15000)
    balance = api.get(f"/workers/{WANG}/balance").get_json()
    assert balance["earned_fen"] == 36000 + 3000 + 15000


def test_a_rebuild_after_changes_gives_the_same_pay(api, checker, build, consume, runtime):
    record(api, build, consume, "2026-03-10", "2026-03-11", "2026-03-12", "2026-04-01", "2026-04-02")
    approve_march(api, checker)
    sewing = wang_at_sewing(api)
    change(api, consume, f"/assignments/{sewing}/scheme",
           {"from_date": "2026-03-12", "scheme": {"kind": "daily", "day_rate_fen": 15000}})
    later = next(a["id"] for a in api.get(f"/workers/{WANG}/assignments").get_json() if a["start_date"] == "2026-03-12")
    change(api, consume, f"/assignments/{later}/end", {"end_date": "2026-04-01"})
    before = (lines(api), month(api, "2026-04")["adjustments"], api.get(f"/workers/{WANG}/balance").get_json())

    rebuild_derived(runtime)
    consume()

    # read again under the terms as they now stand, the work after the end is parked instead of kept unpaid
    refused = f"worker {WANG} has no assignment at site {SEWING} on 2026-04-02"
    assert [(letter["event_type"], letter["errors"]) for letter in api.get("/dead-letters").get_json()["items"]] == [
        ("attendance.recorded", {"data": {"site_id": [refused]}})]
    after = (lines(api), month(api, "2026-04")["adjustments"], api.get(f"/workers/{WANG}/balance").get_json())
    assert after == before
