"""On PostgreSQL, a month evaluated again by schedule reads only the households and sites whose facts were
written since its last complete evaluation, and raises exactly what an evaluation of all of them would, kind
by kind (tests/pipeline/test_alerts_baseline.py is the same on SQLite)."""
from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import delete, select
from support.alert_changes import changed_countries, clear, evaluate_change_and_evaluate_again, statements_reading_again
from support.alert_chunks import TODAY, chunked_runtime
from support.data_keys import TEST_DATA_KEY

from app.alerts.schedule import run_due_evaluation
from app.db.models import Alert, AlertEvaluation
from app.migrate import upgrade_database
from app.pay.income import add_income
from app.settings import Settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def chunked(postgres_server):
    """A database of its own per test: the scheduled evaluation commits."""
    url = postgres_server.create_database(f"t_baseline_{uuid.uuid4().hex[:8]}")
    upgrade_database(url)
    runtime = chunked_runtime(Settings(database_url=url, bus="embedded", log_level="WARNING", data_keys=TEST_DATA_KEY))
    yield runtime
    runtime.close()


def test_a_month_evaluated_again_reads_the_rule_tables_only_for_the_households_and_sites_changed(chunked):
    assert statements_reading_again(chunked, TODAY) == {"worker_month_income": 2, "approved_pay": 2,
                                                         "attendance_records": 1}


def test_income_written_by_a_transaction_open_during_an_evaluation_is_read_by_the_next(chunked):
    # a consumer's batch still open when the month is evaluated: the evaluation cannot see its income, and the
    # baseline it leaves must not count it as seen
    previous = {("w1", month): 10_000 for month in ("2026-02", "2026-03", "2026-04")}
    with chunked.sessions.begin() as batch:
        add_income(batch, previous)
        run_due_evaluation(chunked, TODAY)
    assert drops(chunked) == []
    with chunked.sessions.begin() as session:
        session.execute(delete(AlertEvaluation))

    run_due_evaluation(chunked, TODAY)

    assert drops(chunked) == ["hh1"]


def drops(runtime) -> list[str]:
    with runtime.sessions() as session:
        return list(session.scalars(select(Alert.subject_id).where(Alert.kind == "income_drop")))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(world=changed_countries())
def test_an_evaluation_after_changes_raises_what_an_evaluation_from_scratch_raises(pg_runtime, world):
    try:
        evaluate_change_and_evaluate_again(pg_runtime, *world)
    finally:
        clear(pg_runtime)
