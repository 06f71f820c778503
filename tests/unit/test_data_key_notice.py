"""On the embedded default without STABLEWORK_DATA_KEYS, the key generated beside the database is announced
once, in words, by the command that generates it; later commands say nothing about it. Where a key is
required (PostgreSQL), every entry point refuses to start in one sentence."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def flask(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "STABLEWORK_DATA_KEYS"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'stablework.db'}"
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def test_the_generated_data_key_is_announced_once_in_words(tmp_path):
    first = flask(tmp_path, "migrate")
    notices = [line for line in first.stderr.splitlines() if "STABLEWORK_DATA_KEYS" in line]
    assert len(notices) == 1, first.stderr
    assert str(tmp_path / "data.key") in notices[0] and not notices[0].startswith("{")
    assert (tmp_path / "data.key").exists()
    for command in ("list-tokens", "migrate"):
        assert "STABLEWORK_DATA_KEYS" not in flask(tmp_path, command).stderr


ENTRY_POINTS = {
    "flask": [sys.executable, "-m", "flask", "--app", "app", "list-tokens"],
    "consumers": [sys.executable, "-m", "consumers"],
    "gunicorn": [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:create_app()"],
}


@pytest.mark.parametrize("entry_point", sorted(ENTRY_POINTS))
def test_without_a_key_on_postgresql_each_entry_point_refuses_in_one_sentence(entry_point, unused_port):
    # No server is needed: the key is checked before anything connects.
    env = {key: value for key, value in os.environ.items() if key != "STABLEWORK_DATA_KEYS"}
    env.update(DATABASE_URL=f"postgresql+psycopg://nobody@127.0.0.1:{unused_port}/none", PORT=str(unused_port))
    result = subprocess.run(ENTRY_POINTS[entry_point], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    refusals = [line for line in result.stderr.splitlines() if "STABLEWORK_DATA_KEYS" in line]
    assert refusals == [refusals[0]] and refusals[0].startswith("stablework: STABLEWORK_DATA_KEYS is not set")
    assert "Traceback" not in result.stderr and "Worker failed to boot" not in result.stderr, result.stderr


@pytest.fixture
def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
