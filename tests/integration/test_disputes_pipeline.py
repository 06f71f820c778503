"""A worker's dispute on Kafka and PostgreSQL (pages and API -> outbox -> relay -> Kafka -> consumer -> PostgreSQL,
the relay and the consumer run in the test's process): raised on the worker's page, it holds the approved month's
successor back; accepted, its correction reaches the wage lines through the pipeline, as an adjustment of the approved
month; rejected, the worker reads why. Each step is a dispute event on the topic."""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select
from support.own_pay import LI_PHONE, catch_texts, give_phone, sign_in_worker
from support.processes import wait_until

from app.access.tokens import issue_token
from app.db.models import Adjustment, WorkerMessage
from consumers.loop import consume_once
from consumers.relay import relay_once
from events.bus.kafka import KafkaBus

COUNTY, VILLAGE = "360702", "360702101201"
HOURLY = {"kind": "hourly", "rate_fen": 1750, "standard_minutes": 480, "overtime_multiplier": "1.5"}


@pytest.fixture
def pipeline(runtime):
    producer = runtime.bus.producer()
    consumer = runtime.bus.consumer(runtime.settings.consumer_group, [runtime.settings.topic_work_events])

    def run() -> None:
        while relay_once(runtime, producer):
            pass
        consume_once(runtime, consumer)

    yield run
    consumer.close()


def _registry(api) -> str:
    api.created("/regions", {"code": COUNTY, "name": "Zhanggong", "level": "county"})
    api.created("/regions", {"code": VILLAGE, "name": "Xiaba", "level": "village", "parent_code": COUNTY})
    api.created("/households", {"id": "h-1", "region_code": VILLAGE, "size": 3, "status": "poor"})
    api.created("/workers", {"id": "w-1", "household_id": "h-1", "name": "Liu Mei"})
    site = api.created("/sites", {"kind": "workshop", "name": "Sewing workshop", "region_code": VILLAGE})["id"]
    api.created("/assignments", {"worker_id": "w-1", "site_id": site, "start_date": "2026-03-01", "scheme": HOURLY})
    return site


def _until(pipeline, check, what: str):
    def done():
        pipeline()
        return check()
    return wait_until(done, 60, what, interval=0)


def _dispute_events(settings) -> list[str]:
    """The types of the dispute events on the work-events topic, read from its beginning."""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(settings.topic_work_events, bootstrap_servers=settings.kafka_bootstrap_servers,
                             auto_offset_reset="earliest", enable_auto_commit=False, consumer_timeout_ms=3000,
                             group_id=f"read-{uuid.uuid4().hex[:6]}")
    try:
        types = [json.loads(message.value)["type"] for message in consumer]
    finally:
        consumer.close()
    return sorted(t for t in types if t.startswith("dispute."))


def test_a_dispute_accepted_on_an_approved_month_pays_an_adjustment_through_kafka_and_postgresql(
        api, runtime, pipeline, monkeypatch, settings):
    assert isinstance(runtime.bus, KafkaBus)
    site = _registry(api)
    day = {"specversion": "1.0", "id": str(uuid.uuid4()), "type": "attendance.recorded", "source": "test",
           "time": "2026-03-02T18:00:00+08:00",
           "data": {"worker_id": "w-1", "site_id": site, "date": "2026-03-02", "status": "present", "minutes": 570}}
    assert api.post("/events", {"events": [day]}).status_code == 202
    _until(pipeline, lambda: api.get("/workers/w-1/balance").get_json()["earned_fen"] == 17938, "the day's wage")
    with runtime.sessions.begin() as session:
        checker = api.as_token(issue_token(session, name="checker", role="admin"))
        supervisor = api.as_token(issue_token(session, name="supervisor", role="supervisor", region_code=COUNTY,
                                              site_ids=[site]))
    assert api.post(f"/sites/{site}/periods/2026-03/close", {}).status_code == 200
    assert checker.post(f"/sites/{site}/periods/2026-03/approve", {}).status_code == 200
    give_phone(runtime, "w-1", LI_PHONE)
    worker = sign_in_worker(api.client.application, catch_texts(monkeypatch), LI_PHONE)

    worker.get(f"/me/disputes/new?site_id={site}&date=2026-03-02")
    assert worker.post("/me/disputes/new", {"site_id": site, "date": "2026-03-02", "kind": "hours",
                                            "claimed": "10"}).status_code == 303
    worker.get(f"/me/disputes/new?site_id={site}&date=2026-03-03")
    assert worker.post("/me/disputes/new", {"site_id": site, "date": "2026-03-03", "kind": "worked"}
                       ).status_code == 303
    opened = _until(pipeline, lambda: len(supervisor.get("/disputes", status="open").get_json()["items"]) == 2
                    and supervisor.get("/disputes", status="open").get_json()["items"], "the disputes raised")
    hours, worked = sorted(opened, key=lambda d: d["work_date"])
    assert supervisor.post(f"/disputes/{hours['id']}/accept", {}).status_code == 202
    assert supervisor.post(f"/disputes/{worked['id']}/reject", {"reason": "the workshop was shut"}).status_code == 202

    def adjusted():
        with runtime.sessions.begin() as session:
            return session.scalar(select(func.sum(Adjustment.amount_fen)).where(Adjustment.worker_id == "w-1"))
    _until(pipeline, lambda: adjusted() == 19250 - 17938, "the adjustment of the approved month")
    _until(pipeline, lambda: supervisor.get(f"/disputes/{worked['id']}").get_json()["status"] == "rejected",
           "the rejection")

    assert supervisor.get(f"/disputes/{hours['id']}").get_json()["status"] == "accepted"
    page = worker.get("/me/months/2026-03").get_data(as_text=True)
    assert "已采纳，工资已更正" in page and "原因：the workshop was shut" in page
    with runtime.sessions.begin() as session:
        kinds = sorted(session.scalars(select(WorkerMessage.kind).where(WorkerMessage.id.like("dispute/%"))))
    assert kinds == ["dispute_accepted", "dispute_rejected"]
    assert _dispute_events(settings) == ["dispute.accepted", "dispute.raised", "dispute.raised", "dispute.rejected"]
