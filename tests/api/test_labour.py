"""A labourer's profile, their employment status over time, the migrant baseline, employers and vacancies, and
what bad input gets (a problem, nothing taken)."""
from __future__ import annotations

from support.jobs import employer, staged, vacancy
from support.labour_counts import kept_and_refilled

from app.db.models import Vacancy, VacancyInterest
from app.jobs.interest import record_interest
from app.ledger.rebuild import rebuild_derived

PROFILE = {"skills": ["sewing", "cooking"], "tags": ["会开叉车"], "education": "junior_secondary", "birth_year": 1968,
           "max_physical_demand": "medium", "travel_range": "township", "caregiving": ["elderly"],
           "willing_to_go_out": False, "preferred_kinds": ["workshop"]}


def test_a_profile_put_is_read_back_whole_and_replaced_whole(api, world):
    assert api.get(f"/labourers/{world.li}/profile").get_json()["skills"] == []

    assert api.client.put(f"/api/v1/labourers/{world.li}/profile", json=PROFILE,
                          headers=api._headers()).status_code == 200
    shown = api.get(f"/labourers/{world.li}/profile").get_json()
    assert {key: shown[key] for key in PROFILE} == PROFILE

    api.client.put(f"/api/v1/labourers/{world.li}/profile", json={"skills": ["farming"]}, headers=api._headers())
    assert api.get(f"/labourers/{world.li}/profile").get_json()["caregiving"] == []


def test_a_skill_outside_the_vocabulary_is_a_problem(api, world):
    response = api.client.put(f"/api/v1/labourers/{world.li}/profile", json={"skills": ["juggling"]},
                              headers=api._headers())
    assert (response.status_code, response.content_type) == (422, "application/problem+json")
    assert "skills" in response.get_json()["errors"]


def test_status_changes_keep_their_history_and_the_latest_effective_is_current(api, world, consume):
    staged(api, f"/labourers/{world.chen}/status", {"status": "working_away", "date": "2025-03-01",
                                                     "place": "东莞市长安镇"})
    staged(api, f"/labourers/{world.chen}/status", {"status": "returned", "date": "2026-01-20"})
    staged(api, f"/labourers/{world.chen}/status", {"status": "idle", "date": "2026-01-05"})  # told late
    consume()

    shown = api.get(f"/labourers/{world.chen}/status").get_json()
    assert shown["current"]["status"] == "returned"
    assert [(c["status"], c["effective_date"]) for c in shown["history"]] == [
        ("returned", "2026-01-20"), ("idle", "2026-01-05"), ("working_away", "2025-03-01")]


def test_a_status_in_an_unknown_region_is_refused_at_the_door(api, world):
    response = api.post(f"/labourers/{world.chen}/status", {"status": "working_away", "date": "2026-03-01",
                                                             "region_code": "441900"})
    assert (response.status_code, response.get_json()["detail"]) == (409, "unknown region 441900")


def test_a_baseline_is_recorded_and_corrected(api, world):
    body = {"region_code": world.county, "year": 2025, "migrant_workers": 1180, "poor_migrant_workers": 310}
    assert api.post("/labour-baselines", body).status_code == 200
    assert api.post("/labour-baselines", {**body, "migrant_workers": 1177}).status_code == 200

    shown = api.get("/labour-baselines", region=world.county).get_json()
    assert [(b["year"], b["migrant_workers"], b["poor_migrant_workers"]) for b in shown] == [(2025, 1177, 310)]


def test_an_employer_gets_a_site_of_its_own_and_its_vacancy_is_paid_there(api, world, consume):
    made = employer(api, region=world.other_village)
    vacancy_id = vacancy(api, consume, employer_id=made["id"], count=3, housing=True, poor_first=True,
                         end_date="2026-06-30")

    shown = api.get(f"/vacancies/{vacancy_id}").get_json()
    assert (shown["site_id"], shown["region_code"], shown["office_region_code"], shown["status"]) == (
        made["site_id"], world.other_village, world.county, "open")
    assert [v["id"] for v in api.get("/vacancies", region=world.other_county).get_json()["items"]] == [vacancy_id]
    assert api.get("/vacancies", region=world.village).get_json()["items"] == []
    other = vacancy(api, consume, employer_id=made["id"])
    first = api.get("/vacancies", limit=1).get_json()
    rest = api.get("/vacancies", limit=1, cursor=first["next_cursor"]).get_json()
    assert [v["id"] for v in first["items"] + rest["items"]] == sorted([vacancy_id, other])
    assert rest["next_cursor"] is None


def test_a_closed_vacancy_ends_its_waiting_referrals_and_refuses_new_ones(api, world, consume):
    vacancy_id = vacancy(api, consume)
    referral_id = staged(api, "/referrals", {"vacancy_id": vacancy_id, "worker_id": world.li})["referral_id"]
    staged(api, f"/vacancies/{vacancy_id}/close", {"reason": "the base postponed planting"})
    consume()

    assert api.get(f"/referrals/{referral_id}").get_json()["status"] == "ended"
    response = api.post("/referrals", {"vacancy_id": vacancy_id, "worker_id": world.wang})
    assert (response.status_code, response.get_json()["detail"]) == (409, "the vacancy is closed")


def test_a_vacancy_pays_by_a_wage_scheme_we_know_that_its_site_pays_by(api, world):
    vacancy = {"site_id": world.sewing, "title": "Cutter", "count": 1, "physical_demand": "light",
               "start_date": "2026-07-01"}
    monthly = api.post("/vacancies", {**vacancy, "scheme": {"kind": "monthly", "stipend_fen": 80000,
                                                            "required_days": 22}})
    barter = api.post("/vacancies", {**vacancy, "scheme": {"kind": "barter"}})

    assert (monthly.status_code, monthly.get_json()["detail"]) == (
        409, "a workshop pays by hourly, daily, piece, not monthly")
    assert (barter.status_code, barter.content_type) == (422, "application/problem+json")
    assert "scheme" in barter.get_json()["errors"]


def test_job_events_are_not_taken_as_work_events(api, world, build):
    event = build.event("labour.status_changed", {"worker_id": world.li, "status": "idle", "date": "2026-03-01"})
    response = api.post("/events", {"events": [event]})
    assert response.status_code == 422
    assert response.get_json()["errors"]["0"]["type"][0].startswith("labour.status_changed is made through")


def test_the_counts_by_status_are_kept_through_the_api_and_made_again_by_a_rebuild(api, world, consume, runtime):
    api.client.put(f"/api/v1/labourers/{world.chen}/profile", json={"willing_to_go_out": True},
                   headers=api._headers())
    staged(api, f"/labourers/{world.chen}/status", {"status": "working_away", "date": "2025-03-01"})
    staged(api, f"/labourers/{world.chen}/status", {"status": "returned", "date": "2026-01-20"})
    staged(api, f"/labourers/{world.li}/status", {"status": "idle", "date": "2026-01-05"})
    consume()
    areas = [world.county, world.village, world.other_village, world.other_village[:6]]
    kept, refilled = kept_and_refilled(runtime, areas)
    assert kept == refilled and {row[0] for row in kept} == set(areas)

    rebuild_derived(runtime)
    from_assignments, refilled = kept_and_refilled(runtime, areas)  # before the replay: the work the assignments make
    assert from_assignments == refilled and from_assignments != kept
    assert {row[2] for row in from_assignments} <= {"working_local", "working_away", "idle"}
    consume()
    assert kept_and_refilled(runtime, areas)[0] == kept


def test_a_rebuild_keeps_the_interest_shown_in_a_vacancy_and_the_vacancy_comes_back(api, world, consume, runtime):
    vacancy_id = vacancy(api, consume)
    with runtime.sessions.begin() as session:
        record_interest(session, session.get(Vacancy, vacancy_id), "Zhou Min", "13800138000", world.village)

    rebuild_derived(runtime)
    consume()

    with runtime.readers() as session:
        assert [(i.vacancy_id, i.name) for i in session.query(VacancyInterest)] == [(vacancy_id, "Zhou Min")]
        assert session.get(Vacancy, vacancy_id).status == "open"
