"""Referral to hire to pay on Kafka and PostgreSQL (API -> outbox -> relay -> Kafka -> consumer -> PostgreSQL, the
relay and the consumer run in the test's process): the hire makes the assignment with the vacancy's scheme, work
on it is recorded and its wage line is paid in the month's payment batch like any other."""
from __future__ import annotations

import uuid

import pytest
from support.processes import wait_until

from app.access.tokens import issue_token
from consumers.loop import consume_once
from consumers.relay import relay_once

COUNTY, VILLAGE = "360702", "360702101201"
DAILY = {"kind": "daily", "day_rate_fen": 15000}


def _registry(api) -> None:
    api.created("/regions", {"code": COUNTY, "name": "Zhanggong", "level": "county"})
    api.created("/regions", {"code": VILLAGE, "name": "Xiaba", "level": "village", "parent_code": COUNTY})
    api.created("/households", {"id": "h-1", "region_code": VILLAGE, "size": 3, "status": "poor"})
    api.created("/workers", {"id": "w-1", "household_id": "h-1", "name": "Liu Mei"})
    api.created("/employers", {"id": "e-herbs", "kind": "industrial_base", "name": "Herbal medicine base",
                               "region_code": VILLAGE, "office_region_code": COUNTY})


def _staged(api, path: str, body: dict) -> dict:
    response = api.post(path, body)
    assert response.status_code == 202, response.get_json()
    return response.get_json()


@pytest.fixture
def pipeline(runtime):
    """One pass of the relay and the wage consumer, on one consumer kept for the test (it joins its group once)."""
    producer = runtime.bus.producer()
    consumer = runtime.bus.consumer(runtime.settings.consumer_group, [runtime.settings.topic_work_events])

    def run() -> None:
        while relay_once(runtime, producer):
            pass
        consume_once(runtime, consumer)

    yield run
    consumer.close()


def _applied(api, pipeline, path: str, field: str, value: str, what: str) -> dict:
    def done():
        pipeline()
        response = api.get(path)
        return response.status_code == 200 and response.get_json()[field] == value and response.get_json()
    return wait_until(done, 60, what, interval=0)


def test_a_referral_hired_works_and_is_paid_through_the_pipeline(api, runtime, pipeline):
    _registry(api)
    vacancy_id = _staged(api, "/vacancies", {
        "employer_id": "e-herbs", "title": "Herb picker", "count": 2, "physical_demand": "medium",
        "scheme": DAILY, "start_date": "2026-03-01", "poor_first": True})["vacancy_id"]
    _applied(api, pipeline, f"/vacancies/{vacancy_id}", "status", "open", "the vacancy posted")
    referral_id = _staged(api, "/referrals", {"vacancy_id": vacancy_id, "worker_id": "w-1"})["referral_id"]
    _applied(api, pipeline, f"/referrals/{referral_id}", "status", "referred", "the referral made")
    assignment_id = _staged(api, f"/referrals/{referral_id}/hire", {})["assignment_id"]
    hired = _applied(api, pipeline, f"/referrals/{referral_id}", "status", "hired", "the hire")
    site = api.get(f"/vacancies/{vacancy_id}").get_json()["site_id"]

    assert hired["assignment_id"] == assignment_id
    attendance = {"specversion": "1.0", "id": str(uuid.uuid4()), "type": "attendance.recorded", "source": "test",
                  "time": "2026-03-02T18:00:00+08:00",
                  "data": {"worker_id": "w-1", "site_id": site, "date": "2026-03-02", "status": "present"}}
    assert api.post("/events", {"events": [attendance]}).status_code == 202
    _applied(api, pipeline, "/workers/w-1/balance", "earned_fen", 15000, "the day's wage")
    assert api.post(f"/sites/{site}/periods/2026-03/close", {}).status_code == 200
    with runtime.sessions.begin() as session:
        checker = api.as_token(issue_token(session, name="checker", role="admin"))
    assert checker.post(f"/sites/{site}/periods/2026-03/approve", {}).status_code == 200
    batch = api.post(f"/sites/{site}/periods/2026-03/pay")

    assert batch.status_code == 201, batch.get_json()
    assert [(line["worker_id"], line["amount_fen"]) for line in batch.get_json()["lines"]] == [("w-1", 15000)]
    status = api.get("/labourers/w-1/status").get_json()["current"]
    assert (status["status"], status["assignment_id"]) == ("working_local", assignment_id)
