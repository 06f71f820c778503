"""Matching through the API: the labourers for a vacancy and the vacancies for a labourer, best first, inside the
caller's region, with the hard filters kept and the reasons in the request's language."""
import uuid
from datetime import UTC, date, datetime

import pytest

from app.db.models import Alert, Assignment, LabourProfile, LabourStatus, Referral, Vacancy, WorkerMonthIncome
from app.jobs.match_rows import refill_match_rows

AS_OF = "2026-04-01"
ALERT = "a1" * 16
COOKING = {"kind": "daily", "day_rate_fen": 12000}


def vacancy(id, region, **changes):
    values = dict(id=id, site_id="ws-sewing", region_code=region, office_region_code="360702", title=f"Post {id}",
                  count=1, skills=["cooking"], physical_demand="light", scheme=COOKING, start_date=date(2026, 3, 1),
                  posted_event_id=str(uuid.uuid4()), posted_at=datetime(2026, 2, 20, tzinfo=UTC))
    return Vacancy(**{**values, **changes})


@pytest.fixture
def labour(runtime, world):
    """Li (poor) and Wang (monitored) of Xiaba, Chen of Nankang, and a cook's post in Xiaba that puts poor
    households first."""
    with runtime.sessions.begin() as session:
        session.add_all([
            LabourProfile(worker_id="w-li", skills=["sewing", "cooking"], travel_range="township",
                          max_physical_demand="heavy"),
            LabourProfile(worker_id="w-wang", skills=["cooking"], travel_range="county", max_physical_demand="light"),
            LabourProfile(worker_id="w-chen", skills=["sewing"], travel_range="province", max_physical_demand="heavy"),
        ])
        session.flush()
        session.add(vacancy("v-cook", world.village, poor_first=True))
        keep(session)
    return runtime


def keep(session):
    """Matching's kept rows made again from the rows written, as the app's writers keep them."""
    session.flush()
    refill_match_rows(session)


def add(runtime, *records):
    with runtime.sessions.begin() as session:
        session.add_all(records)
        keep(session)


def ranked(response):
    assert response.status_code == 200, response.get_json()
    return [(item.get("worker_id") or item["vacancy_id"], item["score"]) for item in response.get_json()["items"]]


def test_a_vacancy_ranks_the_labourers_in_reach_and_a_county_office_sees_only_its_own(api, token, labour):
    # Li: every skill 40, same village 20, pay closes the whole gap 20, poor 10, poor first 10. Wang alike but
    # monitored 5. Chen: no skill, 6 steps away 8, pay 20.
    assert ranked(api.get("/vacancies/v-cook/matches", as_of=AS_OF)) == [("w-li", 100), ("w-wang", 95),
                                                                          ("w-chen", 28)]
    county = api.as_token(token("poverty_office", "360702"))
    assert ranked(county.get("/vacancies/v-cook/matches", as_of=AS_OF)) == [("w-li", 100), ("w-wang", 95)]


def test_an_open_income_alert_puts_its_household_first(api, labour):
    add(labour, Alert(kind="below_line", subject_type="household", subject_id="h-wang", household_id="h-wang",
                      month="2026-03", region_code="360702101201", detail={},
                      region_path="/36/3607/360702/360702101/360702101201/"))
    assert ranked(api.get("/vacancies/v-cook/matches", as_of=AS_OF))[:2] == [("w-wang", 110), ("w-li", 100)]


def test_the_hard_filters_keep_out_the_employed_the_too_far_and_the_too_heavy(api, labour, world):
    add(labour, LabourStatus(worker_id="w-li", status="working_local", effective_date=date(2026, 3, 1),
                             event_id=str(uuid.uuid4()), recorded_at="2026-03-01T00:00:00.000000Z"),
        vacancy("v-lift", world.village, physical_demand="heavy", skills=[]),
        vacancy("v-far", world.other_village))
    assert ranked(api.get("/vacancies/v-cook/matches", as_of=AS_OF)) == [("w-wang", 95), ("w-chen", 28)]
    assert ranked(api.get("/vacancies/v-lift/matches", as_of=AS_OF)) == [("w-chen", 28)]
    assert [id for id, _ in ranked(api.get("/labourers/w-wang/matches", as_of=AS_OF))] == ["v-cook"]
    assert ranked(api.get("/labourers/w-li/matches", as_of=AS_OF)) == []
    # Wang's county reaches neither Nankang nor a vacancy that ended before the day matched for.
    assert ranked(api.get("/vacancies/v-far/matches", as_of=AS_OF)) == [("w-chen", 40)]
    assert ranked(api.get("/labourers/w-wang/matches", as_of="2030-01-01")) == [("v-cook", 95)]


def test_a_labourers_vacancies_come_best_first_a_page_at_a_time(api, labour, world):
    add(labour, vacancy("v-sew", world.village, skills=["sewing"]), vacancy("v-far", world.other_village))
    first = api.get("/labourers/w-li/matches", as_of=AS_OF, limit=1)
    assert ranked(first) == [("v-cook", 100)]
    second = api.get("/labourers/w-li/matches", as_of=AS_OF, limit=1, cursor=first.get_json()["next_cursor"])
    assert ranked(second) == [("v-sew", 90)] and second.get_json()["next_cursor"] is None


def test_reasons_come_in_the_language_asked_for(api, labour):
    def reasons(language):
        response = api.client.get("/api/v1/labourers/w-wang/matches", query_string={"as_of": AS_OF},
                                  headers={**api._headers(), **({"Accept-Language": language} if language else {})})
        return response.get_json()["language"], response.get_json()["items"][0]["reasons"]

    language, chinese = reasons(None)
    assert language == "zh" and chinese[0]["text"] == "具备所需1项技能中的1项：烹饪"
    language, english = reasons("en-GB,en;q=0.9")
    assert language == "en" and english[0]["text"] == "Has 1 of the 1 skills wanted: Cooking"
    assert [reason["code"] for reason in english] == ["skills", "distance", "closes_gap", "monitored_household",
                                                       "poor_first"]
    assert english[1]["text"] == "In the same village (0 steps apart in the region tree)"


def test_unknown_vacancies_labourers_without_a_profile_and_made_up_cursors_are_refused(api, labour):
    assert api.get("/vacancies/v-none/matches").status_code == 404
    with labour.sessions.begin() as session:
        session.delete(session.get(LabourProfile, "w-chen"))
        keep(session)
    assert api.get("/labourers/w-chen/matches").status_code == 404
    refused = api.get("/labourers/w-li/matches", cursor="not-a-cursor")
    assert refused.status_code == 422 and refused.content_type == "application/problem+json"


def test_an_alert_on_a_household_lists_the_best_vacancies_for_its_idle_members(api, labour, world):
    add(labour, vacancy("v-sew", world.village, skills=["sewing"]),
        Alert(id=ALERT, kind="below_line", subject_type="household", subject_id="h-li", household_id="h-li",
              month="2026-03", region_code=world.village, detail={},
              region_path="/36/3607/360702/360702101/360702101201/"))
    response = api.client.get("/api/v1/alerts/" + ALERT, headers={**api._headers(), "Accept-Language": "en"})
    shown = response.get_json()
    assert response.status_code == 200, shown
    assert [(found["worker_id"], found["vacancy_id"], found["score"]) for found in shown["vacancies"]] == [
        ("w-li", "v-cook", 115), ("w-li", "v-sew", 105)]
    assert shown["vacancies"][0]["reasons"][-1]["text"] == "The household has an open income alert"


def test_part_time_work_or_work_from_a_later_day_keeps_no_labourer_out(api, labour, world):
    with labour.sessions.begin() as session:
        session.add(vacancy("v-part", world.village, full_time=False))
        session.add(Assignment(id="as-part", worker_id="w-li", site_id="ws-sewing", start_date=date(2026, 3, 1),
                               scheme=COOKING))
        session.flush()
        session.add(Referral(vacancy_id="v-part", worker_id="w-li", status="hired", assignment_id="as-part",
                             referred_at=datetime(2026, 3, 1, tzinfo=UTC), last_event_id=str(uuid.uuid4())))
        session.add_all([
            LabourStatus(worker_id="w-li", status="working_local", effective_date=date(2026, 3, 1),
                         assignment_id="as-part", event_id=str(uuid.uuid4()), recorded_at="2026-03-01T00:00:00Z"),
            LabourStatus(worker_id="w-wang", status="working_away", effective_date=date(2026, 5, 1),
                         event_id=str(uuid.uuid4()), recorded_at="2026-04-20T00:00:00Z")])
        keep(session)
    assert [id for id, _ in ranked(api.get("/vacancies/v-cook/matches", as_of=AS_OF))] == ["w-li", "w-wang",
                                                                                           "w-chen"]
    assert [id for id, _ in ranked(api.get("/vacancies/v-cook/matches", as_of="2026-05-01"))] == ["w-li", "w-chen"]


def test_a_household_whose_year_of_income_reaches_the_line_has_no_gap_to_close(api, labour):
    months = [f"2025-{m:02d}" for m in range(4, 13)] + ["2026-01", "2026-02", "2026-03"]
    add(labour, *[WorkerMonthIncome(worker_id="w-wang", month=month, income_fen=150_000) for month in months],
        WorkerMonthIncome(worker_id="w-wang", month="2026-04", income_fen=9_000_000))  # after the year matched for
    # 12 x 150,000 over 3 people is the line exactly: Wang's 20 points for the gap are gone.
    assert ranked(api.get("/vacancies/v-cook/matches", as_of=AS_OF)) == [("w-li", 100), ("w-wang", 75),
                                                                          ("w-chen", 28)]
