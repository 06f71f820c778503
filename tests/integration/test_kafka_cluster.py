"""The pipeline on a three-broker Kafka cluster (replication 3, min.insync.replicas 2, acks=all):
the broker leading the partitions being written is SIGKILLed under steady ingest and brought back."""
from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType
from sqlalchemy import func, select
from support.pipeline import earned, nonzero, pipeline_settings, processed, unpublished, wait_for_all
from support.processes import wait_until
from support.scenario import register

from app.db.models import ProcessedEvent

BATCH = 20  # events per request: small, so that requests keep coming while the broker is away
PAUSE_S = 0.15  # between requests: a steady trickle rather than one burst before the kill


@pytest.fixture
def settings(postgres_server, kafka_cluster):
    return pipeline_settings(postgres_server, kafka_cluster.bootstrap,
                             kafka_replication_factor=3, kafka_min_insync_replicas=2)


def test_a_sigkilled_partition_leader_loses_nothing_and_pays_nothing_twice(
        api, runtime, settings, fleet, scenario, kafka_cluster):
    topics = [settings.topic_work_events, settings.topic_dead_letters, settings.topic_alerts]
    runtime.bus.prepare(topics, settings.kafka_partitions)  # the production path: python -m consumers does this
    topic = settings.topic_work_events
    assert {tuple(p["replicas"]) for p in kafka_cluster.partitions(topic).values()} == {(1, 2, 3)}
    assert _topic_config(kafka_cluster, topic)["min.insync.replicas"] == "2"
    register(api, scenario)
    fleet.start("relay", "relay")
    fleet.start("wages-1")
    fleet.start("wages-2")

    ingest = Ingest(api, scenario.events)
    ingest.start()
    wait_until(lambda: processed(runtime) > 300, 120, "events applied before the kill")
    victim = _busiest_leader(kafka_cluster, topic)
    killed_at = time.monotonic()
    kafka_cluster.kill(victim)

    wait_until(lambda: _led_by_survivors(kafka_cluster, topic, victim), 60, "new leaders for every partition")
    failover_s = time.monotonic() - killed_at
    first_after = ingest.first_batch_posted_after(killed_at)
    wait_until(lambda: _applied(runtime, first_after) == len(set(first_after)), 120,
               "the first events posted after the kill applied")
    recovered_s = time.monotonic() - killed_at

    restarted_at = time.monotonic()
    kafka_cluster.start_node(victim)
    wait_until(lambda: _all_in_sync(kafka_cluster, topic), 60, "the restarted broker back in every in-sync set")
    rejoined_s = time.monotonic() - restarted_at
    ingest.broker_back.set()
    ingest.join(timeout=300)
    assert not ingest.is_alive() and ingest.error is None, ingest.error
    wait_for_all(runtime, scenario, timeout=180)
    drained_s = time.monotonic() - ingest.finished_at
    print(f"\nleader {victim} SIGKILLed: new leaders after {failover_s:.1f} s; the first events posted after the "
          f"kill applied {recovered_s:.1f} s after it; restarted, the broker was back in every in-sync set after "
          f"{rejoined_s:.1f} s; the last of {len(scenario.unique_events)} events applied {drained_s:.1f} s after "
          f"the last request")

    assert Counter(ingest.statuses) == Counter({202: ingest.requests}), "every request was taken"
    assert processed(runtime) == len(scenario.unique_events) and unpublished(runtime) == 0
    assert earned(api, scenario) == nonzero(scenario.expected)
    assert {name: process.poll() for name, process in fleet.processes.items()} == \
        {"relay": None, "wages-1": None, "wages-2": None}, "the relay and both consumers lived through it"
    assert "NotEnoughReplicas" not in fleet.log("relay"), "two brokers of three hold min.insync.replicas"


class Ingest(threading.Thread):
    """A supervisor's phones posting the scenario's events in small requests, one after another; the
    last tenth only once the broker is back, so that some go through the restored cluster whatever the pace."""

    def __init__(self, api, events: list[dict]):
        super().__init__(name="ingest", daemon=True)
        self.api, self.events = api, events
        self.broker_back = threading.Event()
        self.posted: list[tuple[float, list[str]]] = []  # (monotonic time the request was sent, its event ids)
        self.statuses: list[int] = []
        self.requests = 0
        self.error: BaseException | None = None
        self.finished_at = 0.0

    def run(self) -> None:
        try:
            held_back = len(self.events) - len(self.events) // 10
            for start in range(0, len(self.events), BATCH):
                if start >= held_back:
                    self.broker_back.wait()
                batch = self.events[start:start + BATCH]
                sent_at = time.monotonic()
                self.statuses.append(self.api.post("/events", {"events": batch}).status_code)
                self.requests += 1
                self.posted.append((sent_at, [event["id"] for event in batch]))
                time.sleep(PAUSE_S)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.error = error
        self.finished_at = time.monotonic()

    def first_batch_posted_after(self, moment: float) -> list[str]:
        return wait_until(lambda: next((ids for sent_at, ids in list(self.posted) if sent_at > moment), None),
                          60, "a request posted after the kill")


def _busiest_leader(cluster, topic: str) -> int:
    """The broker leading most partitions of the topic: the one whose loss stops the most writes."""
    leaders = Counter(p["leader"] for p in cluster.partitions(topic).values())
    return leaders.most_common(1)[0][0]


def _led_by_survivors(cluster, topic: str, victim: int) -> bool:
    return all(p["leader"] not in (victim, -1) for p in cluster.partitions(topic).values())


def _all_in_sync(cluster, topic: str) -> bool:
    return all(len(p["isr"]) == 3 for p in cluster.partitions(topic).values())


def _applied(runtime, event_ids: list[str]) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(ProcessedEvent)
                              .where(ProcessedEvent.event_id.in_(set(event_ids))))


def _topic_config(cluster, topic: str) -> dict[str, str]:
    admin = KafkaAdminClient(bootstrap_servers=cluster.bootstrap)
    try:
        described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])["topic"][topic]
    finally:
        admin.close()
    return {name: entry["value"] for name, entry in described.items()}
