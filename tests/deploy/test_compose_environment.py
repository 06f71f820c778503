"""The environment docker-compose.yml gives the project's services: only names the project reads, values that
load as settings, interpolations with defaults and secrets from variables."""
from __future__ import annotations

import dataclasses

import pytest
from support.compose import (
    INTERPOLATION,
    KAFKA_NODES,
    PROJECT_SERVICES,
    environment_names_read,
    environment_problems,
    interpolate_defaults,
    service_environment,
)

from app.settings import Settings


def test_project_services_set_only_variables_the_project_reads(compose, names_read):
    assert environment_problems(compose, names_read) == []


def test_the_scan_finds_every_setting():
    """The scan of environment reads must see every field of Settings (one variable each) and
    the variables read outside app/settings.py; otherwise the test above could pass vacuously."""
    found = environment_names_read()
    assert len(found["app/settings.py"]) == len(dataclasses.fields(Settings))
    assert {"DATABASE_URL", "STABLEWORK_BUS", "KAFKA_BOOTSTRAP_SERVERS", "METRICS_PORT"} <= found["app/settings.py"]
    assert {"METRICS_HOST", "PROMETHEUS_MULTIPROC_DIR"} <= found["app/metrics.py"]
    assert {"HOST", "PORT", "WEB_CONCURRENCY", "WEB_THREADS"} <= found["gunicorn.conf.py"]


@pytest.mark.parametrize("name", PROJECT_SERVICES)
def test_project_services_settings_load(compose, name):
    """Each service's environment (defaults interpolated) makes valid Settings for Kafka and PostgreSQL."""
    settings = Settings.from_env(service_environment(compose, name))
    advertised = {service_environment(compose, node)["KAFKA_ADVERTISED_LISTENERS"] for node in KAFKA_NODES}
    assert settings.bus == "kafka"
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert "@postgres:5432/" in settings.database_url
    assert {f"PLAINTEXT://{server}" for server in settings.kafka_bootstrap_servers.split(",")} == advertised
    assert settings.kafka_partitions == 6
    assert (settings.kafka_replication_factor, settings.kafka_min_insync_replicas) == (3, 2)


def test_interpolations_have_defaults_and_secrets_come_from_variables(compose_text, compose):
    names = {match["name"] for match in INTERPOLATION.finditer(compose_text)}
    assert "POSTGRES_PASSWORD" in names
    for match in INTERPOLATION.finditer(compose_text):  # `docker compose config` works with no .env
        assert match["op"] in (":-", "-"), f"{match[0]} has no default"
    postgres = compose["services"]["postgres"]["environment"]
    assert postgres["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD")
    database_url = compose["x-stablework"]["environment"]["DATABASE_URL"]
    assert postgres["POSTGRES_PASSWORD"] in database_url, "the app logs in with the server's password"


def test_interpolation_without_default_is_refused():
    with pytest.raises(AssertionError, match="no default"):
        interpolate_defaults("postgresql://u:${POSTGRES_PASSWORD}@postgres/db")
    assert interpolate_defaults("a ${X:-b} $${HOME} ${Y-c}") == "a b ${HOME} c"
