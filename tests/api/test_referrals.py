"""A labourer referred to a vacancy is accepted or declined with a reason, and hired: the hire makes the
assignment with the vacancy's wage scheme, once; a vacancy takes no more hires than places, a labourer no
second full-time job."""
from __future__ import annotations

from support.jobs import DAILY, referral, staged, vacancy

from app.db.models import Assignment


def test_a_hire_makes_the_assignment_with_the_vacancys_scheme_and_fills_the_last_place(api, world, consume):
    vacancy_id = vacancy(api, consume, site_id=world.sewing, start_date="2026-07-01")
    referral_id = referral(api, consume, vacancy_id, world.wang)
    staged(api, f"/referrals/{referral_id}/accept")
    consume()
    hired = staged(api, f"/referrals/{referral_id}/hire", {"start_date": "2026-07-01"})
    consume()

    shown = api.get(f"/referrals/{referral_id}").get_json()
    assert (shown["status"], shown["assignment_id"], shown["start_date"]) == (
        "hired", hired["assignment_id"], "2026-07-01")
    assignments = api.get(f"/workers/{world.wang}/assignments").get_json()
    assert [(a["id"], a["site_id"], a["start_date"], a["scheme"]) for a in assignments[-1:]] == [
        (hired["assignment_id"], world.sewing, "2026-07-01", DAILY)]
    assert api.get(f"/vacancies/{vacancy_id}").get_json()["status"] == "filled"
    status = api.get(f"/labourers/{world.wang}/status").get_json()
    assert (status["current"]["status"], status["current"]["assignment_id"]) == (
        "working_local", hired["assignment_id"])


def test_a_filled_vacancy_refuses_another_hire(api, world, consume):
    vacancy_id = vacancy(api, consume)
    first, second = referral(api, consume, vacancy_id, world.wang), referral(api, consume, vacancy_id, world.li)
    staged(api, f"/referrals/{first}/hire")
    consume()

    response = api.post(f"/referrals/{second}/hire", {})
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    assert response.get_json()["detail"] == "the referral is ended, no longer waiting for a decision"
    assert api.get(f"/referrals/{second}").get_json()["ended_reason"] == "the vacancy is filled"


def test_a_full_time_hire_ends_the_other_full_time_referrals_and_refuses_a_second(api, world, consume):
    near = vacancy(api, consume, site_id=world.sewing, count=5, start_date="2026-07-01")
    far = vacancy(api, consume, count=5, start_date="2026-07-01")
    part_time = vacancy(api, consume, count=5, full_time=False, start_date="2026-07-01")
    to_near, to_far = referral(api, consume, near, world.wang), referral(api, consume, far, world.wang)
    to_part_time = referral(api, consume, part_time, world.wang)

    staged(api, f"/referrals/{to_near}/hire")
    consume()

    assert api.get(f"/referrals/{to_far}").get_json()["status"] == "ended"
    assert api.get(f"/referrals/{to_part_time}").get_json()["status"] == "referred"
    staged(api, f"/referrals/{to_part_time}/hire")
    consume()
    assert api.get(f"/referrals/{to_part_time}").get_json()["status"] == "hired"
    another = vacancy(api, consume, count=5, start_date="2026-08-01")
    response = api.post(f"/referrals/{referral(api, consume, another, world.wang)}/hire", {})
    assert (response.status_code, response.get_json()["detail"]) == (
        409, "the labourer already holds a full-time job in these days")


def test_a_declined_referral_keeps_its_reason_and_cannot_be_hired(api, world, consume):
    referral_id = referral(api, consume, vacancy(api, consume), world.li)
    staged(api, f"/referrals/{referral_id}/decline", {"reason": "needs a night shift she cannot work"})
    consume()

    shown = api.get(f"/referrals/{referral_id}").get_json()
    assert (shown["status"], shown["decline_reason"]) == ("declined", "needs a night shift she cannot work")
    assert api.post(f"/referrals/{referral_id}/hire", {}).status_code == 409


def test_a_redelivered_hire_makes_no_second_assignment(api, world, consume, runtime):
    referral_id = referral(api, consume, vacancy(api, consume, count=3), world.wang)
    staged(api, f"/referrals/{referral_id}/hire")
    consume()
    with runtime.sessions.begin() as session:
        before = session.query(Assignment).count()
    runtime.bus.reset_offsets(runtime.settings.consumer_group, [runtime.settings.topic_work_events])
    consume()  # every event again, the hire among them

    with runtime.sessions.begin() as session:
        assert session.query(Assignment).count() == before
    assert api.get(f"/vacancies/{_vacancy_of(api, referral_id)}").get_json()["hired"] == 1


def _vacancy_of(api, referral_id: str) -> str:
    return api.get(f"/referrals/{referral_id}").get_json()["vacancy_id"]


def test_a_labourer_is_referred_to_a_vacancy_once(api, world, consume):
    vacancy_id = vacancy(api, consume)
    referral(api, consume, vacancy_id, world.li)

    response = api.post("/referrals", {"vacancy_id": vacancy_id, "worker_id": world.li})
    assert (response.status_code, response.get_json()["detail"]) == (
        409, "this labourer is already referred to this vacancy")
