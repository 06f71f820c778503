"""The one settings object, read from the environment once per process."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"setting {name} must be an integer, got {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'stablework.db'}"
    bus: str = "embedded"  # "embedded" (event log table) or "kafka"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_partitions: int = 6
    kafka_session_timeout_ms: int = 10_000  # how soon a dead consumer's partitions move to the others
    topic_work_events: str = "stablework.work-events"
    topic_dead_letters: str = "stablework.dead-letters"
    consumer_group: str = "stablework-wages"
    consumer_batch_size: int = 500
    consumer_poll_ms: int = 200
    max_events_per_request: int = 1000
    log_level: str = "INFO"
    metrics_port: int = 0  # consumers and relay: expose /metrics on this port (0: off)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        defaults = cls()
        bus = env.get("STABLEWORK_BUS", defaults.bus)
        if bus not in ("embedded", "kafka"):
            raise ValueError(f"STABLEWORK_BUS must be 'embedded' or 'kafka', got {bus!r}")
        return cls(
            database_url=env.get("DATABASE_URL") or defaults.database_url,
            bus=bus,
            kafka_bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS", defaults.kafka_bootstrap_servers),
            kafka_partitions=_int(env, "KAFKA_PARTITIONS", defaults.kafka_partitions),
            kafka_session_timeout_ms=_int(env, "KAFKA_SESSION_TIMEOUT_MS", defaults.kafka_session_timeout_ms),
            topic_work_events=env.get("TOPIC_WORK_EVENTS", defaults.topic_work_events),
            topic_dead_letters=env.get("TOPIC_DEAD_LETTERS", defaults.topic_dead_letters),
            consumer_group=env.get("CONSUMER_GROUP", defaults.consumer_group),
            consumer_batch_size=_int(env, "CONSUMER_BATCH_SIZE", defaults.consumer_batch_size),
            consumer_poll_ms=_int(env, "CONSUMER_POLL_MS", defaults.consumer_poll_ms),
            max_events_per_request=_int(env, "MAX_EVENTS_PER_REQUEST", defaults.max_events_per_request),
            log_level=env.get("LOG_LEVEL", defaults.log_level),
            metrics_port=_int(env, "METRICS_PORT", defaults.metrics_port),
        )
