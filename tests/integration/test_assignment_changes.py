"""An assignment ended and a scheme changed on Kafka and PostgreSQL (API -> outbox -> relay -> Kafka -> consumer ->
PostgreSQL; the relay and the consumer run in the test's process): the days after the end are no longer paid, the
days from the scheme's change are paid by the new scheme, and March, approved before either change, stays as
approved with the difference adjusted in April."""
from __future__ import annotations

import uuid

import pytest
from support.processes import wait_until

from app.access.tokens import issue_token
from consumers.loop import consume_once
from consumers.relay import relay_once

COUNTY, VILLAGE = "360702", "360702101201"


def _registry(api) -> None:
    api.created("/regions", {"code": COUNTY, "name": "Zhanggong", "level": "county"})
    api.created("/regions", {"code": VILLAGE, "name": "Xiaba", "level": "village", "parent_code": COUNTY})
    api.created("/sites", {"id": "ws-1", "kind": "workshop", "name": "Sewing", "region_code": VILLAGE})
    api.created("/households", {"id": "h-1", "region_code": VILLAGE, "size": 3, "status": "poor"})
    for worker in ("w-1", "w-2"):
        api.created("/workers", {"id": worker, "household_id": "h-1", "name": f"Worker {worker}"})
        api.created("/assignments", {"id": f"a-{worker}", "worker_id": worker, "site_id": "ws-1",
                                     "start_date": "2026-03-01", "scheme": {"kind": "daily", "day_rate_fen": 10000}})


def _attendance(worker: str, day: str) -> dict:
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "type": "attendance.recorded", "source": "test",
            "time": f"{day}T18:00:00+08:00",
            "data": {"worker_id": worker, "site_id": "ws-1", "date": day, "status": "present"}}


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


def _earned(api, pipeline, worker: str, fen: int, what: str) -> None:
    def done():
        pipeline()
        return api.get(f"/workers/{worker}/balance").get_json()["earned_fen"] == fen
    wait_until(done, 60, what, interval=0)


def test_an_end_and_a_scheme_change_through_the_consumers_pay_as_the_rules_say(api, runtime, pipeline):
    _registry(api)
    days = ("2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02")
    assert api.post("/events", {"events": [_attendance(w, day) for w in ("w-1", "w-2") for day in days]}
                    ).status_code == 202
    _earned(api, pipeline, "w-2", 40000, "the work recorded")
    assert api.post("/sites/ws-1/periods/2026-03/close", {}).status_code == 200
    with runtime.sessions.begin() as session:
        checker = api.as_token(issue_token(session, name="checker", role="admin"))
    assert checker.post("/sites/ws-1/periods/2026-03/approve", {}).status_code == 200

    assert api.post("/assignments/a-w-1/end", {"end_date": "2026-03-30"}).status_code == 202
    raised = api.post("/assignments/a-w-2/scheme", {"from_date": "2026-03-31",
                                                    "scheme": {"kind": "daily", "day_rate_fen": 12000}})
    assert raised.status_code == 202, raised.get_json()
    # w-1: March approved at 20,000, less the 31st (10,000) in April, and April's two days gone: 10,000
    _earned(api, pipeline, "w-1", 10000, "the end applied")
    # w-2: March approved at 20,000, plus the 31st's 2,000 more in April, and April's days at 12,000: 46,000
    _earned(api, pipeline, "w-2", 46000, "the scheme change applied")

    march = api.get("/sites/ws-1/periods/2026-03").get_json()
    assert (march["status"], march["totals"]["approved_fen"]) == ("approved", 40000)
    april = api.get("/sites/ws-1/periods/2026-04").get_json()
    assert sorted((a["worker_id"], a["adjusts_month"], a["amount_fen"]) for a in april["adjustments"]) == [
        ("w-1", "2026-03", -10000), ("w-2", "2026-03", 2000)]
    lines = api.get("/workers/w-2/wages").get_json()["items"]
    assert sorted((line["date"], line["assignment_id"], line["amount_fen"]) for line in lines) == [
        ("2026-03-30", "a-w-2", 10000), ("2026-03-31", "a-w-2", 10000),
        ("2026-04-01", raised.get_json()["assignment_id"], 12000),
        ("2026-04-02", raised.get_json()["assignment_id"], 12000)]
    assert api.get("/dead-letters").get_json()["items"] == []
