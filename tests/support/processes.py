"""Run the project's own processes (wage consumers, relay) as real child processes."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from app.settings import Settings

ROOT = Path(__file__).resolve().parents[2]

_ENV_NAMES = {
    "database_url": "DATABASE_URL", "bus": "STABLEWORK_BUS", "kafka_bootstrap_servers": "KAFKA_BOOTSTRAP_SERVERS",
    "kafka_partitions": "KAFKA_PARTITIONS", "kafka_session_timeout_ms": "KAFKA_SESSION_TIMEOUT_MS",
    "kafka_replication_factor": "KAFKA_REPLICATION_FACTOR", "kafka_min_insync_replicas": "KAFKA_MIN_INSYNC_REPLICAS",
    "topic_work_events": "TOPIC_WORK_EVENTS", "topic_dead_letters": "TOPIC_DEAD_LETTERS",
    "topic_alerts": "TOPIC_ALERTS", "alert_check_interval_s": "ALERT_CHECK_INTERVAL_S",
    "consumer_group": "CONSUMER_GROUP", "consumer_batch_size": "CONSUMER_BATCH_SIZE",
    "consumer_poll_ms": "CONSUMER_POLL_MS", "consumer_rejoin_after_s": "CONSUMER_REJOIN_AFTER_S",
    "log_level": "LOG_LEVEL",
    "data_keys": "STABLEWORK_DATA_KEYS", "lookup_key": "STABLEWORK_LOOKUP_KEY",
}


def settings_env(settings: Settings) -> dict[str, str]:
    values = asdict(settings)
    return {**os.environ, **{env: str(values[field]) for field, env in _ENV_NAMES.items()}}


class Fleet:
    """The consumers and relay of one test; all stopped (and their logs kept) at the end."""

    def __init__(self, settings: Settings, log_dir: Path):
        self.settings = settings
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        log = (self.log_dir / f"{name}.log").open("ab")
        process = subprocess.Popen([sys.executable, "-m", "consumers", *args], cwd=ROOT,
                                   env={**settings_env(self.settings), **(env or {})},
                                   stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.processes[name] = process
        return process

    def stop(self, name: str, timeout: float = 30) -> int:
        """SIGTERM one process and return its exit code."""
        process = self.processes.pop(name)
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout=timeout)

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        stuck = []
        for name, process in self.processes.items():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                stuck.append(name)
        self.processes.clear()
        assert not stuck, f"{stuck} did not stop on SIGTERM"

    def log(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")


def wait_until(predicate, timeout: float, what: str, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
