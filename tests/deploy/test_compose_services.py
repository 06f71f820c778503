"""The services of docker-compose.yml: each one there, built or pulled, replicated, checked for health, started
in order, and described in docs/deployment.md."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

from support.compose import (
    KAFKA_NODES,
    PROJECT_SERVICES,
    ROOT,
    healthcheck_problems,
    kafka_cluster_problems,
    replica_problems,
    service_environment,
    volume_problems,
)

from app.settings import Settings

DEPLOYMENT_DOC = ROOT / "docs" / "deployment.md"
REQUIRED_SERVICES = (*KAFKA_NODES, "postgres", "migrate", "api", "relay", "consumers", "alerts")


def test_every_required_service_exists(compose):
    assert set(REQUIRED_SERVICES) <= set(compose["services"])


def test_images(compose):
    services = compose["services"]
    pom = ElementTree.parse(ROOT / "infra" / "kafka" / "pom.xml").getroot()
    kafka_version = pom.find("m:properties/m:kafka.version", {"m": "http://maven.apache.org/POM/4.0.0"}).text
    for name in KAFKA_NODES:
        assert services[name]["image"] == f"apache/kafka:{kafka_version}", "production runs the Kafka the tests run"
    assert services["postgres"]["image"] == "postgres:16"


def test_replicas(compose):
    assert replica_problems(compose) == []
    assert compose["services"]["consumers"]["deploy"]["replicas"] > 1
    assert compose["services"]["relay"]["deploy"]["replicas"] == 1


def test_every_long_running_service_has_a_healthcheck(compose):
    assert healthcheck_problems(compose) == []


def test_named_volumes_are_declared_and_used(compose):
    assert volume_problems(compose) == []
    assert compose["volumes"], "kafka and postgres keep their data in named volumes"
    services = compose["services"]
    for name in KAFKA_NODES:
        kafka_log_dir = service_environment(compose, name)["KAFKA_LOG_DIRS"]
        assert services[name]["volumes"] == [f"{name}-data:{kafka_log_dir}"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["postgres"]["volumes"])


def test_commands_and_dependencies(compose):
    services = compose["services"]
    assert services["migrate"]["command"] == ["flask", "--app", "app", "migrate"]
    assert "command" not in services["api"], "the api runs the image's default command (gunicorn)"
    assert services["relay"]["command"] == ["python", "-m", "consumers", "relay"]
    assert services["consumers"]["command"] == ["python", "-m", "consumers"]
    assert services["alerts"]["command"] == ["python", "-m", "consumers", "alerts"]

    def conditions(name: str) -> dict[str, str]:
        return {dependency: spec["condition"] for dependency, spec in services[name]["depends_on"].items()}

    assert conditions("migrate") == {"postgres": "service_healthy"}
    for name in ("api", "relay", "consumers"):
        assert conditions(name)["migrate"] == "service_completed_successfully"
        assert all(conditions(name)[node] == "service_healthy" for node in KAFKA_NODES)
        assert conditions(name)["postgres"] == "service_healthy"
    # The alerts process reaches Kafka through the outbox only: a broker outage must not hold it up.
    assert conditions("alerts") == {"migrate": "service_completed_successfully", "postgres": "service_healthy"}


def test_the_alert_evaluation_runs_in_its_own_service_only(compose):
    """A province's evaluation may exhaust its container's memory; the wage consumers must not share it."""
    roles = {name: service.get("command", [])[3:4] for name, service in compose["services"].items()
             if service.get("command", [])[:3] == ["python", "-m", "consumers"]}
    assert roles == {"relay": ["relay"], "consumers": [], "alerts": ["alerts"]}
    assert compose["services"]["alerts"]["deploy"]["replicas"] >= 1


def test_api(compose):
    api = compose["services"]["api"]
    assert any(str(port).endswith(":8000") for port in api["ports"])
    test = " ".join(api["healthcheck"]["test"])
    assert "/readyz" in test and "urllib" in test  # python-slim has no curl


def test_relay_consumers_and_alerts_expose_metrics_and_stop_gracefully(compose):
    for name in ("relay", "consumers", "alerts"):
        service = compose["services"][name]
        environment = service_environment(compose, name)
        assert environment["METRICS_PORT"] == "9100" and environment["METRICS_HOST"] == "0.0.0.0"
        assert Settings.from_env(environment).metrics_port == 9100
        assert "9100/metrics" in " ".join(service["healthcheck"]["test"])
        assert "ports" not in service, "scaled replicas cannot share one published port"
    assert compose["services"]["consumers"]["stop_grace_period"] == "30s"
    assert compose["services"]["alerts"]["stop_grace_period"] == "30s"


def test_kafka_is_a_three_node_kraft_cluster(compose):
    assert kafka_cluster_problems(compose) == []
    for name in KAFKA_NODES:
        kafka = service_environment(compose, name)
        assert kafka["KAFKA_PROCESS_ROLES"] == "broker,controller"
        assert kafka["KAFKA_CONTROLLER_LISTENER_NAMES"] == "CONTROLLER"
        listeners = kafka["KAFKA_LISTENERS"].split(",")
        assert "PLAINTEXT://:9092" in listeners and "CONTROLLER://:9093" in listeners
        assert kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
        factors = {key for key in kafka if key.endswith(("_REPLICATION_FACTOR", "_MIN_ISR"))}
        assert {"KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
                "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR"} <= factors
        assert kafka["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3"
        assert "/opt/kafka/bin/kafka-broker-api-versions.sh" in compose["services"][name]["healthcheck"]["test"]


def test_prometheus_multiproc_dir_is_a_fresh_tmpfs(compose):
    dockerfile = (ROOT / "Dockerfile").read_text()
    directory = re.search(r"PROMETHEUS_MULTIPROC_DIR=(\S+)", dockerfile)[1]
    for name in PROJECT_SERVICES:
        mounts = [entry.split(":")[0] for entry in compose["services"][name]["tmpfs"]]
        assert directory in mounts, f"{name}: no tmpfs on {directory}"


def test_deployment_doc_covers_the_file(compose):
    doc = DEPLOYMENT_DOC.read_text()
    for phrase in ("docker compose up -d --build",
                   "docker compose run --rm api flask --app app create-token --role admin",
                   "--scale consumers=", "KAFKA_PARTITIONS", "/readyz", "/healthz", "/metrics", "POSTGRES_PASSWORD"):
        assert phrase in doc, phrase
    for name in compose["services"]:
        assert f"`{name}`" in doc, f"docs/deployment.md does not describe the {name} service"
