"""Operating the Kafka topology: graceful stops, readiness, metrics, logs, rebuild from the topic."""
from __future__ import annotations

import json
import socket
import urllib.request

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
