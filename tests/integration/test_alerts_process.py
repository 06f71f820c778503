"""The alerts process (`python -m consumers alerts`) on Kafka and PostgreSQL, beside the relay and the
wage consumers: a finished month's alerts are raised, published and delivered once each, whether two
evaluators start at once or one is SIGKILLed mid-evaluation (before its first chunk, or after some) and
started again, and wages go on meanwhile."""
from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import func, insert, select, text
from support.pipeline import processed, unpublished
from support.processes import wait_until
from support.webhook_receiver import WebhookReceiver

from app.access.tokens import issue_token
from app.alerts.schedule import due_month
from app.db.models import Alert, AlertEvaluation, WebhookDelivery

# The evaluators' clock says 3 June 2026, when May is due (three days after it ended); they check every second.
SCHEDULE = {"STABLEWORK_TODAY": "2026-06-03", "ALERT_EVALUATION_DAY": "3", "ALERT_CHECK_INTERVAL_S": "1",
            "WEBHOOK_POLL_S": "0.2"}
VILLAGE = "360731101201"
SITE = {"id": "ws-tea", "kind": "workshop", "name": "Tea packing", "region_code": VILLAGE}
# household, status, size, worker, days worked in the month: the poor one earns far below the line.
EVALUATED = '"event": "alerts evaluated"'  # the evaluator's log line, as the JSON logs write it
HOUSEHOLDS = [("hh-poor", "poor", 5, "w-poor", 3), ("hh-other", "other", 2, "w-other", 12)]


@pytest.fixture
def month() -> str:
    month = due_month(date.fromisoformat(SCHEDULE["STABLEWORK_TODAY"]), int(SCHEDULE["ALERT_EVALUATION_DAY"]))
    assert month == "2026-05"
    return month


@pytest.fixture
def receiver():
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def wages_running(api, runtime, fleet, month, receiver):
    """The county, an office's webhook and the month's work, applied by the relay and a wage consumer
    that keep running; returns how many events."""
    for region in ({"code": "360731", "name": "Yudu", "level": "county"},
                   {"code": VILLAGE, "name": "Pantian", "level": "village", "parent_code": "360731"}):
        api.created("/regions", region)
    api.created("/sites", SITE)
    first = date.fromisoformat(f"{month}-01")
    events = []
    for household, status, size, worker, days in HOUSEHOLDS:
        api.created("/households", {"id": household, "region_code": VILLAGE, "size": size, "status": status})
        api.created("/workers", {"id": worker, "household_id": household, "name": worker})
        api.created("/assignments", {"id": f"as-{worker}", "worker_id": worker, "site_id": SITE["id"],
                                     "start_date": first.isoformat(), "end_date": None,
                                     "scheme": {"kind": "daily", "day_rate_fen": 12000}})
        events += [work(worker, first + timedelta(days=day)) for day in range(days)]
    with runtime.sessions.begin() as session:
        office = api.as_token(issue_token(session, name="Yudu office", role="poverty_office", region_code="360731"))
    office.created("/webhooks", {"url": receiver.url})
    assert api.post("/events", {"events": events}).status_code == 202
    fleet.start("relay", "relay")
    fleet.start("wages-1")
    wait_until(lambda: processed(runtime) == len(events), 60, "the month's work applied")
    return len(events)


def work(worker: str, day: date) -> dict:
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "type": "attendance.recorded",
            "source": "sites/ws-tea/phone", "time": f"{day.isoformat()}T18:00:00+08:00",
            "data": {"worker_id": worker, "site_id": SITE["id"], "date": day.isoformat(), "status": "present"}}


def evaluations(runtime) -> list[tuple]:
    """The months evaluated, every chunk done."""
    with runtime.sessions() as session:
        return [tuple(row) for row in session.execute(
            select(AlertEvaluation.month, AlertEvaluation.trigger, AlertEvaluation.raised)
            .where(AlertEvaluation.status == "done"))]


def progress(runtime, month: str) -> tuple | None:
    with runtime.sessions() as session:
        row = session.get(AlertEvaluation, month)
        return None if row is None else (row.status, row.done_subjects, row.done_through)


def raised(runtime) -> dict[str, tuple]:
    with runtime.sessions() as session:
        return {alert.id: (alert.subject_id, alert.kind, alert.month) for alert in session.scalars(select(Alert))}


def delivered(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(WebhookDelivery)
                              .where(WebhookDelivery.status == "delivered"))


def published(settings) -> Counter:
    """Alert ids on the alerts topic, counted over everything it holds."""
    reader = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False, group_id=None)
    try:
        topic = settings.topic_alerts
        partitions = [TopicPartition(topic, p) for p in reader.partitions_for_topic(topic)]
        reader.assign(partitions)
        reader.seek_to_beginning(*partitions)
        ends, ids = reader.end_offsets(partitions), Counter()
        while any(reader.position(p) < ends[p] for p in partitions):
            for records in reader.poll(500).values():
                ids.update(json.loads(record.value)["id"] for record in records)
        return ids
    finally:
        reader.close()


def blocked_evaluators(runtime) -> int:
    """Connections waiting for a lock on alert_evaluations: an evaluator that has raised its alerts, uncommitted."""
    with runtime.engine.connect() as connection:
        return connection.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query ILIKE '%alert_evaluations%' AND pid <> pg_backend_pid()"))


def hold_evaluations_table(runtime):
    """A transaction that lets evaluators read alert_evaluations but not write it: each one stops
    just before its commit, its alerts raised and its transaction open."""
    connection = runtime.engine.connect()
    connection.begin()
    connection.execute(text("LOCK TABLE alert_evaluations IN EXCLUSIVE MODE"))
    return connection


def blocked_alert_inserts(runtime) -> int:
    """Connections whose insert of alerts waits for another transaction's alert of the same key."""
    with runtime.engine.connect() as connection:
        return connection.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query ILIKE 'INSERT INTO alerts %' AND pid <> pg_backend_pid()"))


def hold_alert(runtime, household: str, kind: str, month: str):
    """A transaction that inserts the household's alert and stays open: an evaluator raising the same
    alert waits for it, its earlier chunks committed."""
    connection = runtime.engine.connect()
    connection.begin()
    connection.execute(insert(Alert).values(
        id=str(uuid.uuid4()), kind=kind, subject_type="household", subject_id=household, household_id=household,
        month=month, region_code=VILLAGE, region_path=f"/360731/{VILLAGE}/", status="open", detail={},
        created_at=datetime.now(UTC)))
    return connection


def assert_raised_published_and_delivered_once(runtime, settings, receiver, month):
    wait_until(lambda: evaluations(runtime), 60, "the scheduled evaluation")
    alerts = raised(runtime)
    assert evaluations(runtime) == [(month, "schedule", len(alerts))]
    assert ("hh-poor", "below_line", month) in alerts.values()
    assert not any(subject == "hh-other" for subject, _, _ in alerts.values())
    wait_until(lambda: unpublished(runtime) == 0 and delivered(runtime) == len(alerts), 60,
               "the alerts published and delivered")
    assert published(settings) == Counter(list(alerts))
    assert Counter(json.loads(body)["id"] for body in receiver.bodies) == Counter(list(alerts))


def test_of_two_evaluators_started_together_one_evaluates_and_each_alert_goes_out_once(
        runtime, settings, fleet, receiver, month, wages_running):
    held = hold_evaluations_table(runtime)
    try:
        fleet.start("alerts-1", "alerts", env=SCHEDULE)
        fleet.start("alerts-2", "alerts", env=SCHEDULE)
        wait_until(lambda: blocked_evaluators(runtime), 60, "an evaluator mid-evaluation")
        skipped = wait_until(lambda: [name for name in ("alerts-1", "alerts-2")
                                      if "alerts evaluated elsewhere now" in fleet.log(name)], 60,
                             "the other evaluator to find it evaluating")
        assert blocked_evaluators(runtime) == 1
        held.rollback()
    finally:
        held.close()
    assert_raised_published_and_delivered_once(runtime, settings, receiver, month)
    [evaluator] = {"alerts-1", "alerts-2"} - set(skipped)
    assert EVALUATED in fleet.log(evaluator)
    assert not any(EVALUATED in fleet.log(name) for name in skipped)


def test_an_evaluator_sigkilled_mid_evaluation_and_started_again_raises_publishes_and_delivers_once(
        api, runtime, settings, fleet, receiver, month, wages_running):
    held = hold_evaluations_table(runtime)
    try:
        fleet.start("alerts-1", "alerts", env=SCHEDULE)
        wait_until(lambda: blocked_evaluators(runtime) == 1, 60, "the evaluator mid-evaluation")
        fleet.kill("alerts-1")
        held.rollback()
    finally:
        held.close()
    later = work("w-other", date(2026, 6, 20))  # after the evaluators' today: it changes no finding
    assert api.post("/events", later).status_code == 202
    wait_until(lambda: processed(runtime) == wages_running + 1, 60, "wages applied with the evaluator dead")
    assert evaluations(runtime) == [] and raised(runtime) == {}
    fleet.start("alerts-2", "alerts", env=SCHEDULE)
    assert_raised_published_and_delivered_once(runtime, settings, receiver, month)


def test_an_evaluator_sigkilled_after_some_chunks_is_resumed_at_the_next_and_each_alert_goes_out_once(
        api, runtime, settings, fleet, receiver, month, wages_running):
    """A household a chunk: hh-other, hh-poor, then hh-zhang (poor, no income), whose alert is held."""
    api.created("/households", {"id": "hh-zhang", "region_code": VILLAGE, "size": 4, "status": "poor"})
    chunked = {**SCHEDULE, "ALERT_EVALUATION_CHUNK": "1"}
    held = hold_alert(runtime, "hh-zhang", "below_line", month)
    try:
        fleet.start("alerts-1", "alerts", env=chunked)
        wait_until(lambda: blocked_alert_inserts(runtime) == 1, 60, "the evaluator in its third chunk")
        assert progress(runtime, month) == ("running", "household", "hh-poor")
        before = raised(runtime)
        assert ("hh-poor", "below_line", month) in before.values()
        # a kill mid-send would leave a delivery leased for a minute: this test is about the evaluation
        wait_until(lambda: unpublished(runtime) == 0 and delivered(runtime) == len(before), 60,
                   "the committed chunks' alerts published and delivered")
        fleet.kill("alerts-1")
        held.rollback()
    finally:
        held.close()
    fleet.start("alerts-2", "alerts", env=chunked)
    assert_raised_published_and_delivered_once(runtime, settings, receiver, month)
    assert before.items() <= raised(runtime).items()
    assert ("hh-zhang", "below_line", month) in raised(runtime).values()
    [resumed] = [line for line in fleet.log("alerts-2").splitlines() if "alerts evaluation resumed" in line]
    assert json.loads(resumed)["after"] == ["household", "hh-poor"]
