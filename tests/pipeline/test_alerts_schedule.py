"""The alerts process evaluates each finished month once, a configurable number of days after it ends;
the wage process evaluates nothing."""
from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select
from support.processes import wait_until

import consumers.__main__ as roles
from app.alerts.schedule import run_due_evaluation
from app.db.models import Alert, AlertEvaluation
from app.runtime import build_runtime
from app.settings import Settings
from consumers.scheduler import run_alert_scheduler


def test_each_month_is_evaluated_by_schedule_once(api, settings):
    runtime = build_runtime(replace(settings, alert_evaluation_day=3))
    try:
        api.created("/regions", {"code": "36", "name": "Jiangxi", "level": "province"})
        api.created("/households", {"id": "hh", "region_code": "36", "size": 3, "status": "poor"})
        assert run_due_evaluation(runtime, date(2026, 6, 2)) is None  # not yet due
        assert run_due_evaluation(runtime, date(2026, 6, 3)) == 2  # below_line and projected_below_line
        assert run_due_evaluation(runtime, date(2026, 6, 20)) is None  # already done this month
        alerts = api.get("/alerts").get_json()["items"]
        assert sorted((a["kind"], a["month"]) for a in alerts) == [
            ("below_line", "2026-05"), ("projected_below_line", "2026-05")]
    finally:
        runtime.close()


def test_the_schedule_takes_stablework_today_as_today(api, settings):
    """The demo's clock: with STABLEWORK_TODAY set, the schedule evaluates the month due on that day."""
    assert Settings.from_env({"STABLEWORK_TODAY": "2026-11-05"}).today() == date(2026, 11, 5)
    runtime = build_runtime(replace(settings, fixed_today=date(2026, 11, 5), alert_check_interval_s=3600))
    stop = threading.Event()
    scheduler = threading.Thread(target=run_alert_scheduler, args=(runtime, stop))
    try:
        scheduler.start()  # its first check runs at once, then it waits for the next one or for stop
        deadline = time.monotonic() + 30
        with runtime.sessions() as session:
            while not (months := session.scalars(select(AlertEvaluation.month)).all()):
                assert scheduler.is_alive() and time.monotonic() < deadline
                session.rollback()
                time.sleep(0.05)
        assert months == ["2026-10"]
    finally:
        stop.set()
        scheduler.join(timeout=10)
        runtime.close()


@pytest.fixture
def due(api, settings):
    """A poor household with no income (below the line in any month), May due on 3 June, checked every second."""
    api.created("/regions", {"code": "36", "name": "Jiangxi", "level": "province"})
    api.created("/households", {"id": "hh", "region_code": "36", "size": 3, "status": "poor"})
    runtime = build_runtime(replace(settings, alert_evaluation_day=3, alert_check_interval_s=1,
                                    fixed_today=date(2026, 6, 3)))
    yield runtime
    runtime.close()


def evaluated(runtime) -> list[tuple[str, str]]:
    with runtime.sessions() as session:
        return [tuple(row) for row in session.execute(select(AlertEvaluation.month, AlertEvaluation.trigger))]


def alert_kinds(runtime) -> list[str]:
    with runtime.sessions() as session:
        return sorted(session.scalars(select(Alert.kind)))


def test_the_wage_process_evaluates_no_alerts(due, monkeypatch):
    real = roles.run_wage_consumer
    monkeypatch.setattr(roles, "run_wage_consumer", lambda runtime, stop: real(runtime, stop, until_idle=True))

    roles.ROLES["wages"](due, threading.Event())

    assert evaluated(due) == [] and alert_kinds(due) == []


def test_the_alerts_process_evaluates_the_due_month_by_schedule(due):
    stop = threading.Event()
    process = threading.Thread(target=roles.ROLES["alerts"], args=(due, stop))
    process.start()
    try:
        wait_until(lambda: evaluated(due), 30, "the scheduled evaluation")
    finally:
        stop.set()
        process.join(timeout=30)

    assert not process.is_alive()
    assert evaluated(due) == [("2026-05", "schedule")]
    assert "below_line" in alert_kinds(due)
