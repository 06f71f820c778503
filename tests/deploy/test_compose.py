"""docker-compose.yml, checked without a Docker engine.

The file is validated against the Compose Specification's JSON schema as vendored by the
`check-jsonschema` package (check_jsonschema/builtin_schemas/vendor/compose-spec.json, taken
from the compose-spec repository), so nothing is fetched at test time. The rules of this
deployment that no schema knows (replicas, health checks, settings names, volumes) are checked
by the functions below, each of which is also shown to reject a broken file.
"""
from __future__ import annotations

import ast
import copy
import dataclasses
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import jsonschema
import pytest
import yaml
from check_jsonschema.builtin_schemas import get_builtin_schema

from app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DEPLOYMENT_DOC = ROOT / "docs" / "deployment.md"

KAFKA_NODES = ("kafka-1", "kafka-2", "kafka-3")  # one KRaft cluster: each a broker and a controller
REQUIRED_SERVICES = (*KAFKA_NODES, "postgres", "migrate", "api", "relay", "consumers", "alerts")
PROJECT_SERVICES = ("migrate", "api", "relay", "consumers", "alerts")  # built from this project's Dockerfile
ONE_SHOT = ("migrate",)
# The files that read the environment of a project service (besides libraries).
ENV_READERS = ("app", "consumers", "events", "payroll", "gunicorn.conf.py")
MERGE_TAG = "tag:yaml.org,2002:merge"


class StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader (with `<<` merge keys, as Compose has), refusing a key written twice
    in one mapping: PyYAML would keep the last one silently, Compose refuses the file."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            keys = [self.construct_object(k, deep=True) for k, _ in node.value if k.tag != MERGE_TAG]
            twice = sorted({str(k) for k in keys if keys.count(k) > 1})
            if twice:
                raise yaml.constructor.ConstructorError(None, None, f"keys written twice: {twice}", node.start_mark)
        return super().construct_mapping(node, deep)


def load_compose(text: str) -> dict:
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506 (a SafeLoader subclass)


@pytest.fixture(scope="module")
def compose_text() -> str:
    return COMPOSE_FILE.read_text()


@pytest.fixture(scope="module")
def compose(compose_text) -> dict:
    return load_compose(compose_text)


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = get_builtin_schema("vendor.compose-spec")
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def schema_errors(validator, document: dict) -> list[str]:
    return [f"{error.json_path}: {error.message}" for error in validator.iter_errors(document)]


# --- interpolation: what `docker compose` does with ${VAR:-default} when VAR is unset --------

INTERPOLATION = re.compile(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?(?P<arg>[^}]*)\}")


def interpolate_defaults(value: str) -> str:
    """Substitute ${VAR:-default} by its default (the environment is not consulted) and $$ by $."""
    def replace(match: re.Match) -> str:
        assert match["op"] in (":-", "-"), f"${{{match['name']}}} has no default: {match[0]}"
        return match["arg"]

    return INTERPOLATION.sub(replace, value).replace("$$", "$")


def service_environment(compose: dict, name: str) -> dict[str, str]:
    environment = compose["services"][name].get("environment") or {}
    assert isinstance(environment, dict), f"{name}: write environment as a mapping"
    return {key: interpolate_defaults(str(value)) for key, value in environment.items()}


# --- the names of environment variables the project reads -------------------------------------

def _string_arg(call: ast.Call, index: int) -> str | None:
    argument = call.args[index] if len(call.args) > index else None
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return argument.value
    return None


def environment_names_read() -> dict[str, set[str]]:
    """{file: names} of `os.environ.get("X")`, `os.environ["X"]`, `os.getenv("X")`, `env.get("X")`,
    `_int(env, "X", ...)`, `_float(env, "X", ...)` and `_date(env, "X")` (app/settings.py) in the project's own code."""
    found: dict[str, set[str]] = {}
    paths: list[Path] = []
    for entry in ENV_READERS:
        path = ROOT / entry
        paths.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    for path in paths:
        names = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr == "get" and (
                        ast.unparse(func.value) in ("os.environ", "environ", "env")):
                    name = _string_arg(node, 0)
                elif ast.unparse(func) in ("os.getenv", "getenv"):
                    name = _string_arg(node, 0)
                elif isinstance(func, ast.Name) and func.id in ("_int", "_float", "_date"):
                    name = _string_arg(node, 1)
                else:
                    continue
            elif isinstance(node, ast.Subscript) and ast.unparse(node.value) in ("os.environ", "environ"):
                name = node.slice.value if isinstance(node.slice, ast.Constant) else None
            else:
                continue
            if name:
                names.add(name)
        if names:
            found[str(path.relative_to(ROOT))] = names
    return found


@pytest.fixture(scope="module")
def names_read() -> set[str]:
    return set().union(*environment_names_read().values())


# --- the deployment's own rules: each returns its complaints (empty: fine) --------------------

def replica_problems(compose: dict) -> list[str]:
    services = compose["services"]
    problems = []
    partitions = int(service_environment(compose, "consumers").get("KAFKA_PARTITIONS", Settings.kafka_partitions))
    consumers = (services["consumers"].get("deploy") or {}).get("replicas")
    if not isinstance(consumers, int) or isinstance(consumers, bool):
        problems.append(f"consumers: deploy.replicas must be a number, not {consumers!r}")
    elif not 1 < consumers <= partitions:
        problems.append(f"consumers: deploy.replicas {consumers} must be > 1 and <= KAFKA_PARTITIONS ({partitions})")
    relay = (services["relay"].get("deploy") or {}).get("replicas")
    if relay != 1 or isinstance(relay, bool):
        problems.append(f"relay: deploy.replicas must be 1, not {relay!r}")
    for name in ("relay", "consumers"):
        if "scale" in services[name]:
            problems.append(f"{name}: use deploy.replicas, not scale")
        if "container_name" in services[name]:
            problems.append(f"{name}: a container_name prevents scaling")
    return problems


def healthcheck_problems(compose: dict) -> list[str]:
    problems = []
    for name, service in compose["services"].items():
        check = service.get("healthcheck")
        if name in ONE_SHOT:
            if check:
                problems.append(f"{name}: a one-shot service has no health check")
            if service.get("restart") != "no":
                problems.append(f"{name}: a one-shot service must not restart (restart: \"no\")")
            continue
        test = (check or {}).get("test")
        if not test or check.get("disable") or (isinstance(test, list) and test[0] == "NONE"):
            problems.append(f"{name}: no health check")
        elif isinstance(test, list) and test[0] not in ("CMD", "CMD-SHELL"):
            problems.append(f"{name}: a health check list starts with CMD or CMD-SHELL, not {test[0]!r}")
    return problems


def volume_problems(compose: dict) -> list[str]:
    declared = set(compose.get("volumes") or {})
    used = set()
    for service in compose["services"].values():
        for volume in service.get("volumes") or []:
            if isinstance(volume, str):
                source = volume.split(":")[0] if ":" in volume else None
            else:
                source = volume.get("source") if volume.get("type") == "volume" else None
            if source and not source.startswith((".", "/", "~", "$")):  # a named volume, not a bind mount
                used.add(source)
    problems = [f"volume {v} is used but not declared" for v in sorted(used - declared)]
    problems += [f"volume {v} is declared but no service uses it" for v in sorted(declared - used)]
    return problems


def kafka_cluster_problems(compose: dict) -> list[str]:
    """The three nodes form one quorum, and the project's topics survive the loss of any one of them."""
    problems = []
    nodes = {name: service_environment(compose, name) for name in KAFKA_NODES}
    voters = {f"{env.get('KAFKA_NODE_ID')}@{name}:9093" for name, env in nodes.items()}
    for name, env in nodes.items():
        if set(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS", "").split(",")) != voters:
            problems.append(f"{name}: KAFKA_CONTROLLER_QUORUM_VOTERS must be {','.join(sorted(voters))}")
        if env.get("KAFKA_ADVERTISED_LISTENERS") != f"PLAINTEXT://{name}:9092":
            problems.append(f"{name}: KAFKA_ADVERTISED_LISTENERS must be PLAINTEXT://{name}:9092")
    if len({env.get("KAFKA_NODE_ID") for env in nodes.values()}) != len(nodes):
        problems.append("the Kafka nodes need distinct KAFKA_NODE_IDs")
    if len({env.get("CLUSTER_ID") for env in nodes.values()}) != 1:
        problems.append("the Kafka nodes must be formatted with one CLUSTER_ID")
    volumes = [tuple(compose["services"][name].get("volumes") or ()) for name in KAFKA_NODES]
    if len(set(volumes)) != len(volumes):
        problems.append("each Kafka node needs a data volume of its own")
    settings = Settings.from_env(service_environment(compose, "consumers"))
    if set(settings.kafka_bootstrap_servers.split(",")) != {f"{name}:9092" for name in KAFKA_NODES}:
        problems.append("KAFKA_BOOTSTRAP_SERVERS must list every Kafka node")
    if not 2 <= settings.kafka_min_insync_replicas < settings.kafka_replication_factor <= len(KAFKA_NODES):
        problems.append("KAFKA_MIN_INSYNC_REPLICAS must be at least 2 and below KAFKA_REPLICATION_FACTOR, "
                        "itself at most the number of Kafka nodes")
    for name, env in nodes.items():
        for key, value in env.items():
            wanted = (str(len(KAFKA_NODES)) if key.endswith("_REPLICATION_FACTOR") else
                      str(settings.kafka_min_insync_replicas) if key.endswith(("_MIN_ISR", "_MIN_INSYNC_REPLICAS"))
                      else value)
            if value != wanted:
                problems.append(f"{name}: {key} must be {wanted}, not {value}")
    return problems


def environment_problems(compose: dict, names_read: set[str]) -> list[str]:
    problems = []
    for name in PROJECT_SERVICES:
        for variable in sorted(set(service_environment(compose, name)) - names_read):
            problems.append(f"{name}: {variable} is read by no code of the project")
    return problems


# --- the real file ----------------------------------------------------------------------------

def test_compose_file_matches_the_compose_specification(compose, validator):
    assert schema_errors(validator, compose) == []


def test_check_jsonschema_cli_validates_the_file_offline(tmp_path):
    """The same check as a person would run it: `check-jsonschema --builtin-schema
    vendor.compose-spec docker-compose.yml`, with every proxy pointing at a closed port, so a
    download attempt would fail the test."""
    dead = "http://127.0.0.1:9"
    env = {**os.environ, "HTTP_PROXY": dead, "HTTPS_PROXY": dead, "http_proxy": dead, "https_proxy": dead,
           "NO_PROXY": "", "no_proxy": ""}
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec"]
    good = subprocess.run([*command, str(COMPOSE_FILE)], capture_output=True, text=True, env=env, timeout=60)
    assert good.returncode == 0, good.stdout + good.stderr
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE_FILE.read_text().replace("replicas: 3", "replicas: [3]", 1))
    bad = subprocess.run([*command, str(broken)], capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "services.consumers.deploy.replicas" in bad.stdout


def test_no_obsolete_version_key(compose):
    assert "version" not in compose


def test_every_required_service_exists(compose):
    assert set(REQUIRED_SERVICES) <= set(compose["services"])


def test_images(compose):
    services = compose["services"]
    pom = ElementTree.parse(ROOT / "infra" / "kafka" / "pom.xml").getroot()
    kafka_version = pom.find("m:properties/m:kafka.version", {"m": "http://maven.apache.org/POM/4.0.0"}).text
    for name in KAFKA_NODES:
        assert services[name]["image"] == f"apache/kafka:{kafka_version}", "production runs the Kafka the tests run"
    assert services["postgres"]["image"] == "postgres:16"


def test_project_services_share_the_x_stablework_anchor(compose_text, compose):
    """migrate, api, relay and consumers take image, build and environment from one anchor."""
    document = yaml.compose(compose_text, Loader=StrictLoader)
    top = {key.value: value for key, value in document.value}
    anchor = top["x-stablework"]
    assert re.search(r"^x-stablework: &stablework\s*$", compose_text, re.MULTILINE)
    services = {key.value: value for key, value in top["services"].value}
    for name in PROJECT_SERVICES:
        merged = [value for key, value in services[name].value if key.tag == MERGE_TAG]
        assert merged and merged[0] is anchor, f"{name} does not start from <<: *stablework"
    shared = compose["x-stablework"]
    assert shared["build"]["context"] == "."
    for name in PROJECT_SERVICES:
        service = compose["services"][name]
        assert (service["image"], service["build"]) == (shared["image"], shared["build"])
        assert shared["environment"].items() <= service["environment"].items(), f"{name} lost shared settings"


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


def test_environment_values_are_strings(compose):
    """Quoted values: YAML 1.1 readers take `false`, `no` or `6` for booleans and numbers."""
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            assert isinstance(value, str), f"{name}: {key} should be quoted, got {value!r}"


def test_interpolations_have_defaults_and_secrets_come_from_variables(compose_text, compose):
    names = {match["name"] for match in INTERPOLATION.finditer(compose_text)}
    assert "POSTGRES_PASSWORD" in names
    for match in INTERPOLATION.finditer(compose_text):  # `docker compose config` works with no .env
        assert match["op"] in (":-", "-"), f"{match[0]} has no default"
    postgres = compose["services"]["postgres"]["environment"]
    assert postgres["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD")
    database_url = compose["x-stablework"]["environment"]["DATABASE_URL"]
    assert postgres["POSTGRES_PASSWORD"] in database_url, "the app logs in with the server's password"


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


# --- the checks reject broken files, so they cannot pass silently -----------------------------

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


def test_interpolation_without_default_is_refused():
    with pytest.raises(AssertionError, match="no default"):
        interpolate_defaults("postgresql://u:${POSTGRES_PASSWORD}@postgres/db")
    assert interpolate_defaults("a ${X:-b} $${HOME} ${Y-c}") == "a b ${HOME} c"
