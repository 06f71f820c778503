"""The alerts process's loops: check every ALERT_CHECK_INTERVAL_S seconds for a month due for evaluation
(app/alerts/schedule.py evaluates it, chunk by chunk, one evaluator across the cluster); purge what the
retention rule lets go every RETENTION_PURGE_INTERVAL_S seconds (app/ledger/retention.py)."""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import structlog
from sqlalchemy.exc import DBAPIError, OperationalError

from app.alerts.schedule import run_due_evaluation
from app.ledger.retention import purge
from app.runtime import Runtime

log = structlog.get_logger("consumers.scheduler")


def run_alert_scheduler(runtime: Runtime, stop: threading.Event, today: Callable[[], date] | None = None) -> None:
    """Check for a due month every ALERT_CHECK_INTERVAL_S seconds; 0 turns the schedule off. Today is the
    settings' (STABLEWORK_TODAY, else the calendar's) unless `today` is given."""
    if runtime.settings.alert_check_interval_s <= 0:
        return
    today = today or runtime.settings.today
    while not stop.is_set():
        try:
            run_due_evaluation(runtime, today(), stop)
        except (OperationalError, DBAPIError) as error:
            log.warning("alert evaluation failed; will retry", error=str(error)[:500])
        stop.wait(runtime.settings.alert_check_interval_s)


def run_retention_purge(runtime: Runtime, stop: threading.Event) -> None:
    """Purge now, then every RETENTION_PURGE_INTERVAL_S seconds; 0 turns it off. Each batch is its own short
    transaction, so the purge never holds up the consumers for long."""
    interval = runtime.settings.retention_purge_interval_s
    if interval <= 0:
        return
    while not stop.is_set():
        try:
            purge(runtime.sessions, runtime.settings, stop=stop)
        except (OperationalError, DBAPIError) as error:
            log.warning("retention purge failed; will retry", error=str(error)[:500])
        stop.wait(interval)
