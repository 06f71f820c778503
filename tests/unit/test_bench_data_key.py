"""The benchmarks' fixed key for personal data is theirs alone: importing `bench` (as tests do) leaves the
environment as it was, and only a bench that starts its services gives its own process that key."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = "import os, bench.services; print(os.environ.get('STABLEWORK_DATA_KEYS', 'unset'))"


def test_importing_the_bench_leaves_the_data_key_unset():
    env = {key: value for key, value in os.environ.items() if key != "STABLEWORK_DATA_KEYS"}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "unset"


def test_starting_the_bench_services_gives_the_bench_process_its_data_key(monkeypatch):
    from bench.services import DATA_KEY, Services

    monkeypatch.delenv("STABLEWORK_DATA_KEYS", raising=False)
    Services(kafka=False, postgres=False).start()
    assert os.environ["STABLEWORK_DATA_KEYS"] == DATA_KEY


def test_a_data_key_already_set_is_kept_when_the_bench_starts(monkeypatch):
    from bench.services import Services

    monkeypatch.setenv("STABLEWORK_DATA_KEYS", "the-operators-own-key")
    Services(kafka=False, postgres=False).start()
    assert os.environ["STABLEWORK_DATA_KEYS"] == "the-operators-own-key"
