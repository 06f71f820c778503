"""Retention on PostgreSQL (the BRIN-found batched purge, the horizons read under READ COMMITTED), with the
embedded bus for the stories of tests/support/retention.py, and the relay's outbox as Kafka deployments keep it."""
from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from sqlalchemy import select
from support.api import ApiClient
from support.data_keys import TEST_DATA_KEY
from support.retention import age, story_fresh_events_and_rebuild, story_redeliveries

from app import create_app
from app.access.tokens import issue_token
from app.ledger.retention import Purged, purge
from app.migrate import upgrade_database
from app.runtime import build_runtime
from app.settings import Settings
from consumers.relay import relay_once
from events.bus import OutgoingMessage
from events.bus.log import event_log, received_at_ms

pytestmark = pytest.mark.postgres


@pytest.fixture
def runtime(postgres_server):
    name = f"t_retention_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name)
    upgrade_database(url)
    runtime = build_runtime(Settings(database_url=url, bus="embedded", log_level="WARNING", data_keys=TEST_DATA_KEY,
                                     rate_limit_reads="100000/minute", rate_limit_writes="100000/minute"))
    yield runtime
    runtime.close()
    postgres_server.drop_database(name)


@pytest.fixture
def api(runtime) -> ApiClient:
    with runtime.sessions.begin() as session:
        token = issue_token(session, name="admin", role="admin")
    return ApiClient(create_app(runtime=runtime).test_client(), token)


def test_a_redelivery_inside_the_window_is_a_no_op_and_after_it_is_parked(api, runtime):
    story_redeliveries(api, runtime)


def test_after_a_purge_fresh_events_apply_and_a_rebuild_replays_the_whole_log(api, runtime):
    story_fresh_events_and_rebuild(api, runtime)


class _Broker:
    def __init__(self):
        self.sent: list[OutgoingMessage] = []

    def send(self, message: OutgoingMessage) -> None:
        self.sent.append(message)

    def flush(self, timeout_s: float = 30.0) -> None:
        pass

    def close(self) -> None:
        pass


def test_the_relay_stamps_the_intake_time_and_the_purge_never_takes_an_unrelayed_row(runtime):
    kafka = replace(runtime.settings, bus="kafka", retention_purge_batch=2)
    topic = runtime.settings.topic_work_events
    with runtime.sessions.begin() as session:
        runtime.bus.stage(session, [OutgoingMessage(topic, "w", f"{n}".encode()) for n in range(5)])
    broker = _Broker()
    assert relay_once(runtime, broker, batch=3) == 3  # two rows stay unrelayed
    with runtime.sessions() as session:
        created = session.scalars(select(event_log.c.created_at).order_by(event_log.c.seq)).all()
    assert [received_at_ms(m.headers) for m in broker.sent] == [int(c.timestamp() * 1000) for c in created[:3]]
    age(runtime, 3)
    assert purge(runtime.sessions, kafka) == Purged(published=3)
    with runtime.sessions() as session:
        assert session.scalars(select(event_log.c.value).order_by(event_log.c.seq)).all() == [b"3", b"4"]
    assert relay_once(runtime, broker) == 2  # late, but relayed: an outage never costs an event
    assert [m.value for m in broker.sent[3:]] == [b"3", b"4"]
