"""docker-compose.yml, checked without a Docker engine, against the Compose Specification's JSON schema
as vendored by the `check-jsonschema` package (check_jsonschema/builtin_schemas/vendor/compose-spec.json, taken
from the compose-spec repository), so nothing is fetched at test time; the file's structure and its shared anchor.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys

import yaml
from support.compose import COMPOSE_FILE, MERGE_TAG, PROJECT_SERVICES, StrictLoader, schema_errors


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


def test_environment_values_are_strings(compose):
    """Quoted values: YAML 1.1 readers take `false`, `no` or `6` for booleans and numbers."""
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            assert isinstance(value, str), f"{name}: {key} should be quoted, got {value!r}"
