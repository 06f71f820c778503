"""The wage consumers and the relay on the real Kafka and PostgreSQL, through a broker outage and against
messages keyed by the wrong worker."""
from __future__ import annotations

import json
import re
import socket
import threading
import time
import urllib.request

from kafka import KafkaProducer
from sqlalchemy import select
from support.pipeline import earned, group_members, nonzero, post_in_batches, processed, wait_for_all
from support.processes import wait_until
from support.scenario import register

from app.db.models import DeadLetter

OUTAGE_S = 20


def test_consumers_and_relay_live_through_a_broker_outage_and_apply_every_event_once_after(
        api, runtime, fleet, scenario, kafka_broker):
    register(api, scenario)
    ports = {name: _free_port() for name in ("relay", "wages-1", "wages-2")}
    for name, port in ports.items():
        fleet.start(name, *(["relay"] if name == "relay" else []), env={"METRICS_PORT": str(port)})
    half = len(scenario.events) // 2
    post_in_batches(api, scenario.events[:half])
    wait_until(lambda: processed(runtime) > 100, 60, "the consumers to be mid-stream")
    posting = threading.Thread(target=post_in_batches, args=(api, scenario.events[half:]))
    posting.start()
    kafka_broker.stop()  # SIGTERM, mid-ingest
    try:
        down_since = time.monotonic()
        while time.monotonic() - down_since < OUTAGE_S:  # the outage lasts its time, whatever happens
            assert _all_alive(fleet), _exits(fleet)
            time.sleep(0.5)
        assert {name: _bus_up(port) for name, port in ports.items()} == dict.fromkeys(ports, 0)
        assert api.client.get("/readyz").status_code == 503
        posting.join()
    finally:
        kafka_broker.start()
    wait_for_all(runtime, scenario, timeout=180)
    assert earned(api, scenario) == nonzero(scenario.expected)
    assert _all_alive(fleet), _exits(fleet)
    wait_until(lambda: all(_bus_up(port) == 1 for port in ports.values()), 60, "every process to report the bus up")
    assert api.client.get("/readyz").status_code == 200
    for name in ports:
        outages = fleet.log(name).count("bus unavailable")
        assert 1 <= outages <= 3, f"{name} logged the outage {outages} times"


def test_events_keyed_by_another_worker_are_parked_and_take_effect_once_replayed(
        api, runtime, settings, fleet, scenario, kafka_broker):
    register(api, scenario)
    fleet.start("relay", "relay")
    fleet.start("wages-1")
    fleet.start("wages-2")
    workers = sorted({e["data"]["worker_id"] for e in scenario.unique_events})
    mis_keyed = [e for e in scenario.unique_events if e["type"] == "attendance.recorded"][:40]
    ids = {e["id"] for e in mis_keyed}
    post_in_batches(api, [e for e in scenario.events if e["id"] not in ids])
    wait_until(lambda: group_members(settings) == 2, 60, "both consumers in the group")
    producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap)
    for event in mis_keyed:  # each on the partition of some other worker
        other = workers[(workers.index(event["data"]["worker_id"]) + 7) % len(workers)]
        producer.send(settings.topic_work_events, key=other.encode(), value=json.dumps(event).encode())
    producer.flush()
    producer.close()

    wanted = len(scenario.unique_events)
    wait_until(lambda: processed(runtime) + _parked(runtime) >= wanted, 120, "every event applied or parked")
    letters = api.get("/dead-letters", limit=100).get_json()["items"]
    assert sorted(letter["event_id"] for letter in letters) == sorted(ids)
    assert {letter["reason"] for letter in letters} == {"key is not the worker id"}
    assert all(letter["key"] in workers and letter["key"] not in letter["payload"] for letter in letters)
    for letter in letters:
        assert api.post(f"/dead-letters/{letter['id']}/replay", {}).status_code == 202
    wait_for_all(runtime, scenario)
    assert earned(api, scenario) == nonzero(scenario.expected)


def _parked(runtime) -> int:
    with runtime.sessions() as session:
        return len(session.scalars(select(DeadLetter.id).where(DeadLetter.status == "parked")).all())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _bus_up(port: int) -> float | None:
    """The process's `stablework_bus_up` gauge; None while its /metrics does not answer or lacks it."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
            body = response.read().decode()
    except OSError:
        return None
    found = re.search(r"^stablework_bus_up\S* (\S+)$", body, re.MULTILINE)
    return float(found.group(1)) if found else None


def _all_alive(fleet) -> bool:
    return all(process.poll() is None for process in fleet.processes.values())


def _exits(fleet) -> dict[str, int | None]:
    return {name: process.poll() for name, process in fleet.processes.items()}
