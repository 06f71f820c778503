"""docker-compose.yml read strictly, and the rules of this deployment that no schema knows (replicas, health
checks, settings names, volumes), for tests/deploy."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

from app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
KAFKA_NODES = ("kafka-1", "kafka-2", "kafka-3")  # one KRaft cluster: each a broker and a controller
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
    `_int(env, "X", ...)`, `_float(env, "X", ...)`, `_flag(env, "X", ...)` and `_date(env, "X")` (app/settings.py)
    in the project's own code."""
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
                elif isinstance(func, ast.Name) and func.id in ("_int", "_float", "_date", "_flag"):
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
