"""The jobs area's events, produced straight to the topic as the API stages them: applied by the consumer in the
batch's transaction before its work events, parked with a reason when they can never apply."""
from __future__ import annotations

import uuid

import pytest
from support.world import EventBuilder
from support.world import world as world  # the registry these tests work on (a fixture)

from app.db.models import Assignment, Referral, Vacancy

pytestmark = pytest.mark.usefixtures("world")

WANG, SEWING = "w-wang", "ws-sewing"


def job_event(type_: str, data: dict) -> dict:
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "type": type_, "source": "test",
            "time": "2026-06-20T09:00:00+08:00", "data": data}


def posted(vacancy_id: str, count: int = 1) -> dict:
    return job_event("vacancy.posted", {
        "vacancy_id": vacancy_id, "site_id": SEWING, "title": "Cutter", "count": count, "physical_demand": "light",
        "scheme": {"kind": "daily", "day_rate_fen": 15000}, "start_date": "2026-07-01", "full_time": False})


def referred(vacancy_id: str, referral_id: str, worker_id: str = WANG) -> dict:
    return job_event("referral.made", {"referral_id": referral_id, "vacancy_id": vacancy_id, "worker_id": worker_id})


def hired(vacancy_id: str, referral_id: str, assignment_id: str, worker_id: str = WANG) -> dict:
    return job_event("referral.hired", {"referral_id": referral_id, "vacancy_id": vacancy_id, "worker_id": worker_id,
                                        "assignment_id": assignment_id, "start_date": "2026-07-01"})


def test_a_hire_and_work_on_its_assignment_in_one_batch_are_paid(api, produce, consume):
    for event in (posted("v-1"), referred("v-1", "r-1"), hired("v-1", "r-1", "a-hired")):
        produce(event, key="v-1")
    produce(EventBuilder().attendance(WANG, SEWING, "2026-07-02"))
    consume()

    assert api.get("/dead-letters").get_json()["items"] == []
    wages = api.get(f"/workers/{WANG}/wages").get_json()
    assert [(line["assignment_id"], line["amount_fen"]) for line in wages["items"]
            if line["assignment_id"] == "a-hired"] == [("a-hired", 15000)]


def test_a_hire_keyed_by_its_worker_is_parked(api, produce, consume, runtime):
    produce(posted("v-1"), key="v-1")
    produce(referred("v-1", "r-1"), key="v-1")
    produce(hired("v-1", "r-1", "a-hired"), key=WANG)
    consume()

    [letter] = api.get("/dead-letters").get_json()["items"]
    assert letter["reason"] == "key is not the vacancy id"
    with runtime.sessions.begin() as session:
        assert session.get(Assignment, "a-hired") is None


def test_a_hire_after_its_vacancy_closed_is_parked_and_makes_nothing(api, produce, consume, runtime):
    produce(posted("v-1"), key="v-1")
    produce(referred("v-1", "r-1"), key="v-1")
    produce(job_event("vacancy.closed", {"vacancy_id": "v-1", "reason": "postponed"}), key="v-1")
    produce(hired("v-1", "r-1", "a-hired"), key="v-1")
    consume()

    [letter] = api.get("/dead-letters").get_json()["items"]
    assert letter["reason"] == "the referral is ended, no longer waiting for a decision"
    with runtime.sessions.begin() as session:
        assert session.get(Assignment, "a-hired") is None
        assert session.get(Referral, "r-1").ended_reason == "the vacancy was closed"


def test_the_last_place_goes_to_the_first_hire_read(api, produce, consume, runtime):
    produce(posted("v-1", count=1), key="v-1")
    produce(referred("v-1", "r-wang"), key="v-1")
    produce(referred("v-1", "r-chen", "w-chen"), key="v-1")
    produce(hired("v-1", "r-wang", "a-wang"), key="v-1")
    produce(hired("v-1", "r-chen", "a-chen", "w-chen"), key="v-1")
    consume()

    [letter] = api.get("/dead-letters").get_json()["items"]
    assert letter["reason"] == "the referral is ended, no longer waiting for a decision"
    with runtime.sessions.begin() as session:
        vacancy = session.get(Vacancy, "v-1")
        assert (vacancy.status, vacancy.hired) == ("filled", 1)
        assert session.get(Assignment, "a-chen") is None
