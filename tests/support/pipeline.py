"""Drive the pipeline from tests: post events through the API, drain the consumer, read balances."""
from __future__ import annotations

import time
import uuid

from sqlalchemy import func, select

from app.db.models import ProcessedEvent
from app.migrate import upgrade_database
from app.settings import Settings
from consumers.loop import consume_once
from events.bus.log import event_log
from support.data_keys import TEST_DATA_KEY
from support.processes import wait_until


def pipeline_settings(postgres_server, bootstrap: str, **kafka) -> Settings:
    """Settings on a new migrated database, with topics and a consumer group of their own."""
    suffix = uuid.uuid4().hex[:8]
    url = postgres_server.create_database(f"t_pipeline_{suffix}")
    upgrade_database(url)
    return Settings(
        database_url=url, bus="kafka", kafka_bootstrap_servers=bootstrap, kafka_partitions=4,
        kafka_session_timeout_ms=6000, topic_work_events=f"work-{suffix}", topic_dead_letters=f"dead-{suffix}",
        topic_alerts=f"alerts-{suffix}", alert_check_interval_s=0,
        consumer_group=f"wages-{suffix}", consumer_poll_ms=100, log_level="INFO", data_keys=TEST_DATA_KEY,
        consumer_rejoin_after_s=30,  # a wedged member (consumers/loop.py GroupWatch) recovers within a test
        rate_limit_reads="100000/minute", rate_limit_writes="100000/minute", **kafka,
    )


def work_event(type_: str, time: str, data: dict) -> dict:
    """A CloudEvent as a supervisor's phone sends it, with a fresh id."""
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "type": type_, "source": "sites/phone", "time": time,
            "data": data}


def drain(runtime, max_batches: int = 10_000) -> int:
    consumer = runtime.bus.consumer(runtime.settings.consumer_group, [runtime.settings.topic_work_events])
    total = 0
    try:
        for _ in range(max_batches):
            handled = consume_once(runtime, consumer)
            if not handled:
                return total
            total += handled
        raise AssertionError("the consumer did not drain the bus")
    finally:
        consumer.close()


def post_in_batches(api, events, size=250, retries=60):
    """Post like a supervisor's phone: in batches, retrying while the service answers 503."""
    statuses = {}
    for start in range(0, len(events), size):
        for _ in range(retries):
            response = api.post("/events", {"events": events[start:start + size]})
            if response.status_code != 503:
                break
            time.sleep(0.5)
        assert response.status_code == 202, response.get_json()
        for receipt in response.get_json()["results"]:
            statuses.setdefault(receipt["id"], []).append(receipt["status"])
    return statuses


def earned(api, scenario):
    """(worker, month) -> earned fen, as the balance endpoint tells, for every month with pay."""
    found = {}
    for worker in scenario.workers:
        body = api.get(f"/workers/{worker['id']}/balance").get_json()
        for period in body["periods"]:
            found[(worker["id"], period["period"])] = period["earned_fen"]
    return nonzero(found)


def nonzero(earnings):
    return {key: fen for key, fen in earnings.items() if fen}


def processed(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(ProcessedEvent))


def unpublished(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(event_log).where(event_log.c.published_at.is_(None)))


def wait_for_all(runtime, scenario, timeout=300):
    wanted = len(scenario.unique_events)
    wait_until(lambda: processed(runtime) >= wanted, timeout, f"{wanted} events applied")
    assert processed(runtime) == wanted


def group_members(settings) -> int:
    """How many members of the settings' consumer group hold partitions, once it is stable (else 0)."""
    from kafka.admin import KafkaAdminClient  # kafka-python warns on import: only the Kafka tests import it

    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    try:
        group = admin.describe_groups([settings.consumer_group])[settings.consumer_group]
    finally:
        admin.close()
    assigned = [m for m in group["members"]  # an assignment is b"" / "" until the group settles
                if isinstance(m["member_assignment"], dict) and m["member_assignment"]["assigned_partitions"]]
    return len(assigned) if group["group_state"] == "Stable" else 0
