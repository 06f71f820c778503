"""The Dockerfile and .dockerignore, checked without a Docker engine: the instructions are
parsed, the file layout they rely on is checked against the tree, and the dependency step is
run on the real pyproject.toml."""
from __future__ import annotations

import fnmatch
import json
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, with continuation lines joined and comments dropped."""
    result: list[tuple[str, str]] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        full = (pending + stripped).strip()
        pending = ""
        keyword, _, arguments = full.partition(" ")
        result.append((keyword.upper(), arguments.strip()))
    assert not pending, "the Dockerfile ends inside a continued instruction"
    return result


@pytest.fixture(scope="module")
def parsed() -> list[tuple[str, str]]:
    return instructions(DOCKERFILE.read_text())


def of(parsed, keyword: str) -> list[str]:
    return [arguments for instruction, arguments in parsed if instruction == keyword]


def env_values(parsed) -> dict[str, str]:
    values: dict[str, str] = {}
    for arguments in of(parsed, "ENV"):
        for item in shlex.split(arguments):
            name, _, value = item.partition("=")
            values[name] = value
    return values


def copied_sources(parsed) -> list[str]:
    sources = []
    for arguments in of(parsed, "COPY"):
        words = [w for w in shlex.split(arguments) if not w.startswith("--")]
        sources.extend(w.rstrip("/") for w in words[:-1])
    return sources


def ignore_patterns() -> list[str]:
    lines = [line.strip() for line in DOCKERIGNORE.read_text().splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def ignored(path: str, patterns: list[str]) -> bool:
    """.dockerignore matching (Go filepath.Match plus `**`), enough for the patterns used here:
    a pattern matching a folder excludes everything below it."""
    assert not any(p.startswith("!") for p in patterns), "negated patterns are not handled here"
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        pattern = pattern.strip("/")
        for prefix in prefixes:
            if fnmatch.fnmatchcase(prefix, pattern):
                return True
            if pattern.startswith("**/") and fnmatch.fnmatchcase(prefix.split("/")[-1], pattern[3:]):
                return True
    return False


def test_base_image_is_python_slim_of_the_projects_python(parsed):
    assert of(parsed, "FROM") == ["python:3.11-slim"]
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert ">=3.11" in requires


def test_default_command_is_gunicorn_with_its_config(parsed):
    (cmd,) = of(parsed, "CMD")
    assert json.loads(cmd) == ["gunicorn", "-c", "gunicorn.conf.py", "app:create_app()"]
    assert "gunicorn.conf.py" in copied_sources(parsed)
    assert env_values(parsed)["HOST"] == "0.0.0.0", "gunicorn.conf.py binds 127.0.0.1 unless HOST says otherwise"


def test_runs_as_a_non_root_user(parsed):
    users = of(parsed, "USER")
    assert users, "no USER: the container would run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    last_user = max(i for i, (instruction, _) in enumerate(parsed) if instruction == "USER")
    assert all(instruction != "RUN" for instruction, _ in parsed[last_user:]), "RUN after USER"
    assert re.search(rf"useradd\b.*\b{re.escape(users[-1])}\b", " ".join(of(parsed, "RUN")))


def test_prometheus_multiproc_dir_is_created_for_that_user(parsed):
    directory = env_values(parsed)["PROMETHEUS_MULTIPROC_DIR"]
    runs = " ".join(of(parsed, "RUN"))
    assert f"mkdir -p {directory}" in runs
    assert re.search(rf"chown \S+ {re.escape(directory)}", runs)


def test_no_test_or_dev_extras(parsed):
    runs = " ".join(of(parsed, "RUN"))
    assert "[test]" not in runs and "optional-dependencies" not in runs
    for tool in ("pytest", "hypothesis"):
        assert tool not in runs


def test_dependency_step_installs_pyprojects_runtime_dependencies(parsed, tmp_path):
    """Run the Dockerfile's own `python -c` step on the real pyproject.toml."""
    (step,) = [run for run in of(parsed, "RUN") if "tomllib" in run]
    code = re.search(r'python -c "(.*?)"\s*>', step)[1]
    pyproject_bytes = (ROOT / "pyproject.toml").read_bytes()
    (tmp_path / "pyproject.toml").write_bytes(pyproject_bytes)
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                         check=True).stdout
    project = tomllib.loads(pyproject_bytes.decode())["project"]
    assert out.split("\n")[:-1] == project["dependencies"]
    assert "pip install -r /tmp/requirements.txt" in step
    install = [run for run in of(parsed, "RUN") if re.search(r"pip install .*(\s\.$|\s\.\s)", run)]
    assert install and "--no-deps" in install[0], "the project itself is installed from pyproject.toml"


def test_copies_what_the_code_needs_and_nothing_is_ignored(parsed):
    sources = copied_sources(parsed)
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = [p.rstrip("*") for p in config["tool"]["setuptools"]["packages"]["find"]["include"]]
    needed = {"pyproject.toml", "alembic.ini", "gunicorn.conf.py", "migrations", *packages}
    assert needed <= set(sources), f"not copied: {sorted(needed - set(sources))}"
    patterns = ignore_patterns()
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not ignored(source, patterns), f".dockerignore excludes {source}, which the Dockerfile copies"
    for path in ("migrations/versions/0001_core_pipeline.py", "app/api/health.py", "alembic.ini"):
        assert not ignored(path, patterns), path


def test_dockerignore_keeps_the_local_environment_out():
    patterns = ignore_patterns()
    for path in (".git", ".venv/bin/python", "var/stablework.db", "tests/conftest.py", ".cache/kafka",
                 "app/__pycache__/settings.cpython-311.pyc", ".env", "stablework.egg-info/PKG-INFO"):
        assert ignored(path, patterns), f"{path} would be sent to the build"


def test_dockerignore_matcher():
    assert ignored("app/__pycache__/x.pyc", ["**/__pycache__"])
    assert ignored(".venv/lib/site.py", [".venv"])
    assert not ignored("app/settings.py", [".venv", "tests", "**/*.pyc"])
    assert ignored("app/settings.pyc", ["**/*.pyc"])
