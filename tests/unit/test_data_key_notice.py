"""On the embedded default without STABLEWORK_DATA_KEYS, the key generated beside the database is announced
once, in words, by the command that generates it; later commands say nothing about it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
