"""The rules of this deployment that no schema knows (replicas, health checks, settings names, volumes), and the
schema and the YAML loader themselves, each shown to reject a broken file."""
from __future__ import annotations

import copy

import pytest
import yaml
from support.compose import (
    environment_problems,
    healthcheck_problems,
    kafka_cluster_problems,
    load_compose,
    replica_problems,
    schema_errors,
    volume_problems,
)


def _mutate(compose: dict, path: str, value) -> dict:
    broken = copy.deepcopy(compose)
    *parents, last = path.split(".")
    target = broken
    for key in parents:
        target = target[key]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return broken


DELETE = object()


@pytest.mark.parametrize(("path", "value"), [
    ("services.consumers.deploy.replicas", [3]),
    ("services.consumers.deploy.replicas", {"count": 3}),
    ("services.consumers.deploy.replica", 3),
    ("services.consumers.replicas", 3),
    ("services.api.depends_on.migrate.condition", "service_finished"),
    ("services.api.healthcheck.test", {"cmd": "true"}),
    ("services.api.healthcheck.interval", 10),
    ("services.api.ports", {"8000": 8000}),
    ("services.relay.environment.METRICS_PORT", {"port": 9100}),
    ("services.migrate.restart", False),
    ("services.postgres.volumes", "postgres-data:/var/lib/postgresql/data"),
    ("volumes.kafka-1-data", "a string"),
    ("service", {}),
])
def test_the_schema_rejects_broken_files(compose, validator, path, value):
    assert schema_errors(validator, compose) == []
    assert schema_errors(validator, _mutate(compose, path, value)) != []


def test_the_yaml_loader_rejects_a_key_written_twice(compose_text):
    twice = compose_text.replace("    restart: \"no\"\n", "    restart: \"no\"\n    restart: always\n", 1)
    assert twice != compose_text
    with pytest.raises(yaml.constructor.ConstructorError, match="written twice"):
        load_compose(twice)


@pytest.mark.parametrize(("path", "value"), [
    # The schema takes any string for replicas (it may be a ${VARIABLE}); the rule does not.
    ("services.consumers.deploy", {"replicas": "three"}),
    ("services.consumers.deploy", {"replicas": 1}),
    ("services.consumers.deploy", {"replicas": 7}),  # more than the 6 partitions: idle consumers
    ("services.consumers.deploy", DELETE),
    ("services.relay.deploy", {"replicas": 2}),
    ("services.relay.deploy", {"replicas": True}),
    ("services.consumers.container_name", "consumers"),
])
def test_the_replica_rule_rejects(compose, path, value):
    assert replica_problems(_mutate(compose, path, value)) != []


@pytest.mark.parametrize(("path", "value"), [
    ("services.relay.healthcheck", DELETE),
    ("services.kafka-2.healthcheck", {"disable": True}),
    ("services.postgres.healthcheck", {"test": ["NONE"]}),
    ("services.api.healthcheck", {"test": ["python", "-c", "pass"]}),
    ("services.migrate.healthcheck", {"test": ["CMD", "true"]}),
    ("services.migrate.restart", "on-failure"),
])
def test_the_healthcheck_rule_rejects(compose, path, value):
    assert healthcheck_problems(_mutate(compose, path, value)) != []


@pytest.mark.parametrize(("path", "value"), [
    ("volumes.kafka-3-data", DELETE),
    ("volumes.unused-data", None),
    ("services.postgres.volumes", ["pg-data:/var/lib/postgresql/data"]),
])
def test_the_volume_rule_rejects(compose, path, value):
    assert volume_problems(_mutate(compose, path, value)) != []


@pytest.mark.parametrize(("path", "value"), [
    ("services.kafka-2.environment.KAFKA_NODE_ID", "1"),
    ("services.kafka-3.environment.KAFKA_CONTROLLER_QUORUM_VOTERS", "1@kafka-1:9093,2@kafka-2:9093"),
    ("services.kafka-1.environment.KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://kafka:9092"),
    ("services.kafka-2.environment.CLUSTER_ID", "b3RoZXItY2x1c3Rlci1pZA"),
    ("services.kafka-3.volumes", ["kafka-1-data:/var/lib/kafka/data"]),
    ("services.kafka-1.environment.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1"),
    ("services.kafka-2.environment.KAFKA_MIN_INSYNC_REPLICAS", "1"),
    ("services.consumers.environment.KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092"),
    ("services.consumers.environment.KAFKA_MIN_INSYNC_REPLICAS", "1"),
    ("services.consumers.environment.KAFKA_MIN_INSYNC_REPLICAS", "3"),
    ("services.consumers.environment.KAFKA_REPLICATION_FACTOR", "4"),
])
def test_the_kafka_cluster_rule_rejects(compose, path, value):
    assert kafka_cluster_problems(_mutate(compose, path, value)) != []


def test_the_volume_rule_ignores_bind_mounts(compose):
    bound = _mutate(compose, "services.api.volumes", ["./var:/srv/stablework/var", "/etc/ssl:/etc/ssl:ro"])
    assert volume_problems(bound) == []


@pytest.mark.parametrize("variable", ["KAFKA_BOOTSTRAP_SERVER", "DB_URL", "STABLEWORK_METRICS_PORT"])
def test_the_environment_rule_rejects_unknown_names(compose, names_read, variable):
    broken = _mutate(compose, f"services.consumers.environment.{variable}", "x")
    assert environment_problems(broken, names_read) == [f"consumers: {variable} is read by no code of the project"]
