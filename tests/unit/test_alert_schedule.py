"""Which finished month is due for alert evaluation on a given day, and the day the schedule takes as today."""
from __future__ import annotations

from datetime import date

import pytest

from app.alerts.schedule import due_month, evaluators
from app.runtime import build_runtime
from app.settings import Settings


@pytest.mark.parametrize("today, day, due", [
    (date(2026, 6, 4), 5, None),          # May ended on the 31st: 4 days later is too early
    (date(2026, 6, 5), 5, "2026-05"),     # 5 days after
    (date(2026, 6, 30), 5, "2026-05"),
    (date(2026, 1, 3), 2, "2025-12"),     # across the year
    (date(2026, 3, 1), 1, "2026-02"),
])
def test_the_month_due_for_evaluation(today, day, due):
    assert due_month(today, day) == due


def test_a_stablework_today_that_is_no_date_is_refused():
    with pytest.raises(ValueError, match="STABLEWORK_TODAY must be a date"):
        Settings.from_env({"STABLEWORK_TODAY": "5 November"})


def test_an_evaluation_chunk_of_no_households_is_refused():
    assert Settings.from_env({"ALERT_EVALUATION_CHUNK": "200"}).alert_evaluation_chunk == 200
    with pytest.raises(ValueError, match="ALERT_EVALUATION_CHUNK must be at least 1"):
        Settings.from_env({"ALERT_EVALUATION_CHUNK": "0"})


def test_an_evaluation_by_no_threads_is_refused_and_sqlite_evaluates_with_one(tmp_path):
    assert Settings.from_env({"ALERT_EVALUATION_WORKERS": "3"}).alert_evaluation_workers == 3
    with pytest.raises(ValueError, match="ALERT_EVALUATION_WORKERS must be at least 1"):
        Settings.from_env({"ALERT_EVALUATION_WORKERS": "0"})
    runtime = build_runtime(Settings(database_url=f"sqlite:///{tmp_path / 'one.db'}", alert_evaluation_workers=2))
    try:
        assert evaluators(runtime) == 1  # SQLite has one writer
    finally:
        runtime.close()
