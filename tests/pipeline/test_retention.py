"""Retention on SQLite with the embedded bus: redeliveries and replays stay harmless as ids are purged
(tests/support/retention.py tells the stories; tests/integration/test_retention_pg.py tells them on PostgreSQL)."""
from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from support.processes import wait_until
from support.retention import age, count, story_fresh_events_and_rebuild, story_redeliveries

from app.db.models import AuditEntry, ProcessedEvent
from app.ledger.retention import Purged, purge
from consumers.scheduler import run_retention_purge
from events.bus import OutgoingMessage
from events.bus.log import event_log


def test_a_redelivery_inside_the_window_is_a_no_op_and_after_it_is_parked(api, runtime):
    story_redeliveries(api, runtime)


def test_after_a_purge_fresh_events_apply_and_a_rebuild_replays_the_whole_log(api, runtime):
    story_fresh_events_and_rebuild(api, runtime)


def test_the_outbox_keeps_every_unpublished_row_and_lets_published_ones_go(runtime):
    kafka = replace(runtime.settings, bus="kafka")
    topic = runtime.settings.topic_work_events
    with runtime.sessions.begin() as session:
        runtime.bus.stage(session, [OutgoingMessage(topic, "w", f"{n}".encode()) for n in range(6)])
    with runtime.sessions.begin() as session:
        session.execute(update(event_log).where(event_log.c.seq <= 3).values(published_at=datetime.now(UTC)))
    age(runtime, 2)
    assert purge(runtime.sessions, runtime.settings) == Purged()  # the embedded bus: its log is the topic
    assert purge(runtime.sessions, kafka) == Purged(published=3)
    with runtime.sessions() as session:
        assert session.scalars(select(event_log.c.value).order_by(event_log.c.seq)).all() == [b"3", b"4", b"5"]
    with runtime.sessions.begin() as session:  # published now: kept for OUTBOX_KEEP_PUBLISHED_HOURS
        session.execute(update(event_log).values(published_at=datetime.now(UTC)))
    assert purge(runtime.sessions, kafka, now=datetime.now(UTC) + timedelta(hours=1)) == Purged()


def test_the_purge_goes_in_batches_and_says_what_it_took_in_the_audit_log(api, runtime):
    story_settings = replace(runtime.settings, retention_purge_batch=7)
    with runtime.sessions.begin() as session:
        session.add_all(ProcessedEvent(event_id=f"e{n}", content_hash="h") for n in range(20))
    age(runtime, 40)
    assert purge(runtime.sessions, story_settings) == Purged(processed=20)
    assert count(runtime, ProcessedEvent) == 0
    with runtime.sessions() as session:  # no receipts went: no entry
        assert not session.scalars(select(AuditEntry).where(AuditEntry.action == "delete")).all()


def test_the_alerts_process_purges_on_its_schedule(runtime):
    with runtime.sessions.begin() as session:
        session.add(ProcessedEvent(event_id="old", content_hash="h"))
    age(runtime, 40)
    stop = threading.Event()
    purger = threading.Thread(target=run_retention_purge, args=(runtime, stop))
    purger.start()
    try:
        wait_until(lambda: count(runtime, ProcessedEvent) == 0, 30, "the old key purged")
    finally:
        stop.set()
        purger.join(timeout=30)
    assert not purger.is_alive()


def test_a_retry_is_answered_from_a_kept_receipt_whatever_its_time_and_refused_without_one(api, runtime, county):
    def attendance(n: int, day: int) -> dict:
        return {"specversion": "1.0", "id": f"00000000-0000-4000-8000-{n:012d}", "type": "attendance.recorded",
                "source": "test", "time": f"2026-03-{day:02d}T18:00:00+08:00",
                "data": {"worker_id": "ws-shoes-w1", "site_id": "ws-shoes", "date": f"2026-03-{day:02d}",
                         "status": "present", "minutes": 480}}

    assert api.post("/events", {"events": [attendance(1, 2)]}).status_code == 202
    age(runtime, 40)
    assert api.post("/events", {"events": [attendance(2, 3)]}).status_code == 202  # months late, but no id purged yet
    assert purge(runtime.sessions, runtime.settings).received == 1
    kept = api.post("/events", {"events": [attendance(2, 3)]})
    assert kept.status_code == 202 and kept.get_json()["results"][0]["status"] == "duplicate"
    gone = api.post("/events", {"events": [attendance(1, 2), attendance(3, 4)]})
    assert gone.status_code == 422 and set(gone.get_json()["errors"]) == {"0", "1"}
