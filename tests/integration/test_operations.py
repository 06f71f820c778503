"""Operating the Kafka topology: graceful stops, readiness, metrics, logs, rebuild from the topic."""
from __future__ import annotations

import json
import socket
import urllib.request

from kafka import KafkaConsumer
from support.pipeline import earned, nonzero, post_in_batches, processed, wait_for_all
from support.processes import wait_until
from support.scenario import register

from app import create_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_consumer_stops_cleanly_on_sigterm_and_logs_json_with_event_ids(api, runtime, fleet, scenario):
    register(api, scenario)
    fleet.start("relay", "relay")
    fleet.start("wages-1", env={"LOG_LEVEL": "DEBUG"})
    post_in_batches(api, scenario.events[:300])
    wait_until(lambda: processed(runtime) > 0, 60, "events applied")
    assert fleet.stop("wages-1") == 0
    assert fleet.stop("relay") == 0
    lines = [json.loads(line) for line in fleet.log("wages-1").splitlines() if line.startswith("{")]
    assert {"consumer started", "consumer stopped"} <= {line["event"] for line in lines}
    applied = [line for line in lines if line["event"] == "event applied"]
    assert applied and all(len(line["event_id"]) == 36 for line in applied)


def test_readyz_fails_while_kafka_is_down(api, kafka_broker):
    assert api.client.get("/readyz").status_code == 200
    kafka_broker.stop()
    try:
        response = api.client.get("/readyz")
        assert response.status_code == 503 and "bus" in response.get_json()["detail"]
    finally:
        kafka_broker.start()
    assert api.client.get("/readyz").status_code == 200


def test_consumer_and_relay_expose_prometheus_metrics(api, runtime, fleet, scenario):
    register(api, scenario)
    consumer_port, relay_port = free_port(), free_port()
    fleet.start("relay", "relay", env={"METRICS_PORT": str(relay_port)})
    fleet.start("wages-1", env={"METRICS_PORT": str(consumer_port)})
    post_in_batches(api, scenario.events)
    wait_for_all(runtime, scenario)

    def scrape(port):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            return response.read().decode()

    consumer = wait_until(lambda: "stablework_consumer_lag" in (body := scrape(consumer_port)) and body, 30,
                          "consumer metrics")
    applied = sum(float(line.split()[-1]) for line in consumer.splitlines()
                  if line.startswith("stablework_events_applied_total{"))
    assert applied == len(scenario.unique_events)
    assert wait_until(lambda: "stablework_outbox_backlog 0.0" in scrape(relay_port), 30, "backlog 0")


def test_the_rebuild_command_replays_the_topic_into_emptied_tables(api, runtime, fleet, scenario):
    register(api, scenario)
    fleet.start("relay", "relay")
    fleet.start("wages-1")
    post_in_batches(api, scenario.events)
    wait_for_all(runtime, scenario)
    before = earned(api, scenario)
    assert fleet.stop("wages-1") == 0
    result = create_app(runtime=runtime).test_cli_runner().invoke(args=["rebuild"])
    assert result.exit_code == 0, result.output
    assert processed(runtime) == 0 and earned(api, scenario) == {}
    fleet.start("wages-1")
    wait_for_all(runtime, scenario)
    assert earned(api, scenario) == before == nonzero(scenario.expected)


def test_the_alerts_topic_carries_each_new_alert_once_for_a_plain_kafka_consumer(
        api, runtime, settings, fleet, scenario, kafka_broker):
    register(api, scenario)
    fleet.start("relay", "relay")
    fleet.start("wages-1")
    post_in_batches(api, scenario.events)
    wait_for_all(runtime, scenario)
    month = {"month": "2026-04", "as_of": "2026-05-06"}
    raised = api.post("/alerts/evaluate", month).get_json()["alerts"]
    assert raised and api.post("/alerts/evaluate", month).get_json()["raised"] == 0
    reader = KafkaConsumer(settings.topic_alerts, bootstrap_servers=kafka_broker.bootstrap, group_id=None,
                           auto_offset_reset="earliest", enable_auto_commit=False)
    try:
        seen = []
        wait_until(lambda: seen.extend(r for rs in reader.poll(500).values() for r in rs)
                   or len(seen) >= len(raised), 60, "the alerts on the topic")
        seen.extend(r for rs in reader.poll(1000).values() for r in rs)  # and nothing more arrives
    finally:
        reader.close()
    bodies = [json.loads(record.value) for record in seen]
    assert sorted(b["id"] for b in bodies) == sorted(a["id"] for a in raised)
    assert all(record.key.decode() == json.loads(record.value)["subject"] for record in seen)
