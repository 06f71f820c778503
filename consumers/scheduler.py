"""The monthly alert evaluation, run by the alerts process (`python -m consumers alerts`) a configurable
number of days after each month ends. Each month is evaluated by schedule once: on PostgreSQL one
evaluator at a time across the cluster holds an advisory lock for its transaction, and the others skip
and check again later; SQLite has one writer at a time, and the month's `alert_evaluations` row keeps
it to once. A month is evaluated in one transaction, so an evaluator that dies mid-way leaves nothing,
and the next check evaluates the month from the start."""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta

import structlog
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.alerts.evaluation import evaluate, thresholds_from
from app.db.models import AlertEvaluation
from app.runtime import Runtime

log = structlog.get_logger("consumers.scheduler")
EVALUATOR_LOCK = 7_310_202  # arbitrary constant naming "evaluating the alert rules by schedule"


def due_month(today: date, evaluation_day: int) -> str | None:
    """The finished month whose evaluation is due on `today`, if any: the previous month once
    `evaluation_day` days have passed since it ended."""
    last_month_end = today.replace(day=1) - timedelta(days=1)
    if today < last_month_end + timedelta(days=evaluation_day):
        return None
    return last_month_end.strftime("%Y-%m")


def run_due_evaluation(runtime: Runtime, today: date) -> int | None:
    """Evaluate the due month unless it already was; return how many alerts were raised."""
    month = due_month(today, runtime.settings.alert_evaluation_day)
    if month is None:
        return None
    try:
        with runtime.sessions.begin() as session:
            if not take_evaluator_lock(session):
                log.info("alerts evaluated elsewhere now; will check again", month=month)
                return None
            if session.get(AlertEvaluation, month) is not None:
                return None
            raised = evaluate(session, runtime.bus, runtime.settings.topic_alerts, month, today,
                              thresholds_from(runtime.settings))
            session.add(AlertEvaluation(month=month, as_of=today.isoformat(), trigger="schedule", raised=len(raised)))
    except IntegrityError:
        return None  # another evaluator (on SQLite) evaluated the month at the same moment
    log.info("alerts evaluated", month=month, as_of=today.isoformat(), raised=len(raised))
    return len(raised)


def take_evaluator_lock(session: Session) -> bool:
    """Whether this transaction is the one evaluator: on PostgreSQL it holds the lock until it ends,
    even if its process is killed (the server ends the transaction with the connection)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": EVALUATOR_LOCK}))


def run_alert_scheduler(runtime: Runtime, stop: threading.Event, today: Callable[[], date] | None = None) -> None:
    """Check for a due month every ALERT_CHECK_INTERVAL_S seconds; 0 turns the schedule off. Today is the
    settings' (STABLEWORK_TODAY, else the calendar's) unless `today` is given."""
    if runtime.settings.alert_check_interval_s <= 0:
        return
    today = today or runtime.settings.today
    while not stop.is_set():
        try:
            run_due_evaluation(runtime, today())
        except (OperationalError, DBAPIError) as error:
            log.warning("alert evaluation failed; will retry", error=str(error)[:500])
        stop.wait(runtime.settings.alert_check_interval_s)
