"""The consumer process evaluates each finished month once, a configurable number of days after it ends."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from app.runtime import build_runtime
from consumers.scheduler import due_month, run_due_evaluation


@pytest.mark.parametrize("today, day, due", [
    (date(2026, 6, 4), 5, None),          # May ended on the 31st: 4 days later is too early
    (date(2026, 6, 5), 5, "2026-05"),     # 5 days after
    (date(2026, 6, 30), 5, "2026-05"),
    (date(2026, 1, 3), 2, "2025-12"),     # across the year
    (date(2026, 3, 1), 1, "2026-02"),
])
def test_the_month_due_for_evaluation(today, day, due):
    assert due_month(today, day) == due


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
