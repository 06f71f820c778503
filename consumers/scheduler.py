"""The alerts process's loop: check every ALERT_CHECK_INTERVAL_S seconds for a month due for evaluation
(app/alerts/schedule.py evaluates it, chunk by chunk, one evaluator across the cluster)."""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import structlog
from sqlalchemy.exc import DBAPIError, OperationalError

from app.alerts.schedule import run_due_evaluation
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
