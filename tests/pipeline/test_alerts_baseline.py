"""A month evaluated again by schedule reads only the households and sites whose facts were written since its
last complete evaluation, and raises exactly what an evaluation of all of them would, kind by kind, on the
embedded default (SQLite); tests/integration/test_alerts_baseline.py holds the same on PostgreSQL."""
from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from support.alert_changes import changed_countries, clear, evaluate_change_and_evaluate_again, statements_reading_again
from support.alert_chunks import TODAY, chunked_runtime

from app.migrate import upgrade_database


@pytest.fixture
def chunked(settings):
    upgrade_database(settings.database_url)
    runtime = chunked_runtime(settings)
    yield runtime
    runtime.close()


def test_a_month_evaluated_again_reads_the_rule_tables_only_for_the_households_and_sites_changed(chunked):
    # once to find what changed, then once for the changed household's chunk and once for the changed site's
    assert statements_reading_again(chunked, TODAY) == {"worker_month_income": 2, "approved_pay": 2,
                                                         "attendance_records": 1}


def test_a_month_evaluated_again_days_later_reads_every_site_s_work_again(chunked):
    # the days passing change which days are a site's last, and the days since approval: every chunk, each
    # household's reading the changed household's income alone
    reads = statements_reading_again(chunked, TODAY + timedelta(days=1))
    assert reads == {"worker_month_income": 4, "approved_pay": 3, "attendance_records": 4}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(world=changed_countries())
def test_an_evaluation_after_changes_raises_what_an_evaluation_from_scratch_raises(runtime, world):
    try:
        evaluate_change_and_evaluate_again(runtime, *world)
    finally:
        clear(runtime)
