"""The one settings object, read from the environment once per process."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
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


def _date(env: dict[str, str], name: str) -> date | None:
    raw = env.get(name)
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"setting {name} must be a date (YYYY-MM-DD), got {raw!r}") from None


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"setting {name} must be a number, got {raw!r}") from None


def _flag(env: dict[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "on", "yes"):
        return True
    if raw in ("0", "false", "off", "no"):
        return False
    raise ValueError(f"setting {name} must be on or off, got {raw!r}")


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'stablework.db'}"
    bus: str = "embedded"  # "embedded" (event log table) or "kafka"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_partitions: int = 6
    # Copies of each partition of the topics the project creates, and how many of them must hold a
    # message before the broker acknowledges it (acks=all): 3 and 2 on a three-broker cluster.
    kafka_replication_factor: int = 1
    kafka_min_insync_replicas: int = 1
    kafka_session_timeout_ms: int = 10_000  # how soon a dead consumer's partitions move to the others
    topic_work_events: str = "stablework.work-events"
    topic_dead_letters: str = "stablework.dead-letters"
    topic_alerts: str = "stablework.alerts"
    consumer_group: str = "stablework-wages"
    consumer_batch_size: int = 2000  # larger batches spread a batch's dozen statements and commit (docs/benchmarks.md)
    consumer_poll_ms: int = 200
    # A consumer that has not settled in its group for this long starts over with a new client (see
    # consumers/loop.py): a join normally takes seconds, and a needless restart costs only a rebalance.
    consumer_rejoin_after_s: float = 120.0
    max_events_per_request: int = 1000
    # Bodies larger than this are refused (413) before they are read; the CSV import has its own limit.
    max_request_bytes: int = 2 * 1024 * 1024
    max_import_bytes: int = 8 * 1024 * 1024
    # Requests per bearer token (per client address without one), as `limits` strings ("600/minute").
    rate_limit_reads: str = "600/minute"
    rate_limit_writes: str = "120/minute"
    rate_limit_storage_url: str = ""  # redis://host:6379/0 shares counts; empty: memory, per process
    # Interest shown on vacancies' public pages, per address: anyone may post there, so fewer than a token may.
    rate_limit_interest: str = "5/hour"
    # Where people reach the pages (https://jobs.example.gov.cn): the links of vacancies shared in village groups;
    # empty: the address of the request that makes the link.
    public_base_url: str = ""
    log_level: str = "INFO"
    # Personal data at rest (app.db.crypto): Fernet keys, comma-separated, newest first; without any, only
    # an SQLite database may start (with a key generated into data.key beside it). Kept out of repr().
    data_keys: str = field(default="", repr=False)
    lookup_key: str = field(default="", repr=False)  # HMAC key of lookup hashes; empty: derived from each data key
    # Alert rules (docs/domain.md): thresholds, and when the consumer process evaluates a finished month.
    alert_drop_ratio: str = "0.3"
    alert_monitoring_lines: str = ""  # "2026:6000,2027:6200": yuan per person per year, by year
    alert_default_monitoring_line_yuan: int = 6000
    alert_no_work_days: int = 10
    alert_arrears_days: int = 15
    alert_projection_months: int = 3
    alert_evaluation_day: int = 5  # run month M's rules this many days after M ends
    alert_check_interval_s: int = 3600  # 0: no scheduled evaluation in this process
    alert_evaluation_chunk: int = 5000  # households (then sites) per chunk of an alert evaluation
    alert_evaluation_workers: int = 2  # chunks of a scheduled evaluation in hand at once (PostgreSQL; SQLite: 1)
    metrics_port: int = 0  # consumers and relay: expose /metrics on this port (0: off)
    # Retention (docs/architecture.md: Retention): event ids are kept this many days for deduplication, and what
    # was taken in before the oldest purged id is refused at the door and parked by the consumers; the outbox's
    # published rows are kept this many hours (Kafka: the topic holds them); the alerts process purges every
    # RETENTION_PURGE_INTERVAL_S seconds (0: never), RETENTION_PURGE_BATCH rows a transaction.
    event_retention_days: int = 35
    outbox_keep_published_hours: int = 24
    retention_purge_interval_s: int = 3600
    retention_purge_batch: int = 5000
    # Alert webhooks: retry n waits base * 2**(n-1) * uniform(0.5, 1.5) seconds, capped; given up after max.
    webhook_backoff_base_s: float = 30.0
    webhook_backoff_max_s: float = 3600.0
    webhook_max_attempts: int = 8
    webhook_timeout_s: float = 10.0
    webhook_poll_s: float = 1.0
    # Signs the pages' session cookies; empty: derived from the newest data key (app.web.sessions).
    secret_key: str = field(default="", repr=False)
    # Session cookies only over HTTPS (browsers treat http://127.0.0.1 and localhost as secure too);
    # off only behind a proxy that cannot pass HTTPS on.
    cookie_secure: bool = True
    # The day the alert schedule and the API's "this month" take as today; None: the calendar's (the demo fixes it).
    fixed_today: date | None = None
    # Workers' sign-in (app.access.worker_sign_in): how long a code lasts, and codes asked per number and per
    # address, as `limits` strings; text messages go to this SMS gateway (empty: written to the log, development).
    sign_in_code_minutes: int = 10
    rate_limit_sign_in_number: str = "3/10minutes;10/day"
    rate_limit_sign_in_address: str = "20/hour"
    sms_gateway_url: str = ""
    sms_gateway_token: str = field(default="", repr=False)
    # Maker-checker (docs/domain.md): the person who closed a site's month may not approve it.
    maker_checker: bool = True

    def today(self) -> date:
        return self.fixed_today or date.today()

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        defaults = cls()
        bus = env.get("STABLEWORK_BUS", defaults.bus)
        if bus not in ("embedded", "kafka"):
            raise ValueError(f"STABLEWORK_BUS must be 'embedded' or 'kafka', got {bus!r}")
        chunk = _int(env, "ALERT_EVALUATION_CHUNK", defaults.alert_evaluation_chunk)
        if chunk < 1:
            raise ValueError(f"ALERT_EVALUATION_CHUNK must be at least 1, got {chunk}")
        evaluators = _int(env, "ALERT_EVALUATION_WORKERS", defaults.alert_evaluation_workers)
        if evaluators < 1:
            raise ValueError(f"ALERT_EVALUATION_WORKERS must be at least 1, got {evaluators}")
        retention_days = _int(env, "EVENT_RETENTION_DAYS", defaults.event_retention_days)
        if retention_days < 2:  # a day's grace on an event's time (app/ledger/retention.py) must fit inside it
            raise ValueError(f"EVENT_RETENTION_DAYS must be at least 2, got {retention_days}")
        return cls(
            database_url=env.get("DATABASE_URL") or defaults.database_url,
            bus=bus,
            kafka_bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS", defaults.kafka_bootstrap_servers),
            kafka_partitions=_int(env, "KAFKA_PARTITIONS", defaults.kafka_partitions),
            kafka_replication_factor=_int(env, "KAFKA_REPLICATION_FACTOR", defaults.kafka_replication_factor),
            kafka_min_insync_replicas=_int(env, "KAFKA_MIN_INSYNC_REPLICAS", defaults.kafka_min_insync_replicas),
            kafka_session_timeout_ms=_int(env, "KAFKA_SESSION_TIMEOUT_MS", defaults.kafka_session_timeout_ms),
            topic_work_events=env.get("TOPIC_WORK_EVENTS", defaults.topic_work_events),
            topic_dead_letters=env.get("TOPIC_DEAD_LETTERS", defaults.topic_dead_letters),
            topic_alerts=env.get("TOPIC_ALERTS", defaults.topic_alerts),
            consumer_group=env.get("CONSUMER_GROUP", defaults.consumer_group),
            consumer_batch_size=_int(env, "CONSUMER_BATCH_SIZE", defaults.consumer_batch_size),
            consumer_poll_ms=_int(env, "CONSUMER_POLL_MS", defaults.consumer_poll_ms),
            consumer_rejoin_after_s=_float(env, "CONSUMER_REJOIN_AFTER_S", defaults.consumer_rejoin_after_s),
            max_events_per_request=_int(env, "MAX_EVENTS_PER_REQUEST", defaults.max_events_per_request),
            max_request_bytes=_int(env, "MAX_REQUEST_BYTES", defaults.max_request_bytes),
            max_import_bytes=_int(env, "MAX_IMPORT_BYTES", defaults.max_import_bytes),
            rate_limit_reads=env.get("RATE_LIMIT_READS") or defaults.rate_limit_reads,
            rate_limit_writes=env.get("RATE_LIMIT_WRITES") or defaults.rate_limit_writes,
            rate_limit_storage_url=env.get("RATE_LIMIT_STORAGE_URL", defaults.rate_limit_storage_url),
            rate_limit_interest=env.get("RATE_LIMIT_INTEREST") or defaults.rate_limit_interest,
            public_base_url=env.get("PUBLIC_BASE_URL", defaults.public_base_url).rstrip("/"),
            log_level=env.get("LOG_LEVEL", defaults.log_level),
            data_keys=env.get("STABLEWORK_DATA_KEYS", defaults.data_keys),
            lookup_key=env.get("STABLEWORK_LOOKUP_KEY", defaults.lookup_key),
            alert_drop_ratio=env.get("ALERT_DROP_RATIO", defaults.alert_drop_ratio),
            alert_monitoring_lines=env.get("ALERT_MONITORING_LINES", defaults.alert_monitoring_lines),
            alert_default_monitoring_line_yuan=_int(env, "ALERT_DEFAULT_MONITORING_LINE_YUAN",
                                                    defaults.alert_default_monitoring_line_yuan),
            alert_no_work_days=_int(env, "ALERT_NO_WORK_DAYS", defaults.alert_no_work_days),
            alert_arrears_days=_int(env, "ALERT_ARREARS_DAYS", defaults.alert_arrears_days),
            alert_projection_months=_int(env, "ALERT_PROJECTION_MONTHS", defaults.alert_projection_months),
            alert_evaluation_day=_int(env, "ALERT_EVALUATION_DAY", defaults.alert_evaluation_day),
            alert_check_interval_s=_int(env, "ALERT_CHECK_INTERVAL_S", defaults.alert_check_interval_s),
            event_retention_days=retention_days,
            outbox_keep_published_hours=_int(env, "OUTBOX_KEEP_PUBLISHED_HOURS", defaults.outbox_keep_published_hours),
            retention_purge_interval_s=_int(env, "RETENTION_PURGE_INTERVAL_S", defaults.retention_purge_interval_s),
            retention_purge_batch=max(1, _int(env, "RETENTION_PURGE_BATCH", defaults.retention_purge_batch)),
            alert_evaluation_chunk=chunk,
            alert_evaluation_workers=evaluators,
            metrics_port=_int(env, "METRICS_PORT", defaults.metrics_port),
            webhook_backoff_base_s=_float(env, "WEBHOOK_BACKOFF_BASE_S", defaults.webhook_backoff_base_s),
            webhook_backoff_max_s=_float(env, "WEBHOOK_BACKOFF_MAX_S", defaults.webhook_backoff_max_s),
            webhook_max_attempts=_int(env, "WEBHOOK_MAX_ATTEMPTS", defaults.webhook_max_attempts),
            webhook_timeout_s=_float(env, "WEBHOOK_TIMEOUT_S", defaults.webhook_timeout_s),
            webhook_poll_s=_float(env, "WEBHOOK_POLL_S", defaults.webhook_poll_s),
            secret_key=env.get("STABLEWORK_SECRET_KEY", defaults.secret_key),
            cookie_secure=_flag(env, "COOKIE_SECURE", defaults.cookie_secure),
            fixed_today=_date(env, "STABLEWORK_TODAY"),
            maker_checker=_flag(env, "MAKER_CHECKER", defaults.maker_checker),
            sign_in_code_minutes=_int(env, "SIGN_IN_CODE_MINUTES", defaults.sign_in_code_minutes),
            rate_limit_sign_in_number=env.get("RATE_LIMIT_SIGN_IN_NUMBER") or defaults.rate_limit_sign_in_number,
            rate_limit_sign_in_address=env.get("RATE_LIMIT_SIGN_IN_ADDRESS") or defaults.rate_limit_sign_in_address,
            sms_gateway_url=env.get("SMS_GATEWAY_URL", defaults.sms_gateway_url),
            sms_gateway_token=env.get("SMS_GATEWAY_TOKEN", defaults.sms_gateway_token),
        )
