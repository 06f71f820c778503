"""On PostgreSQL, the alert evaluation raises exactly what the pure rules of payroll/alerts.py find, kind
by kind (tests/pipeline/test_alerts_differential.py is the same test on SQLite)."""
from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from support.alert_world import BOUNDARY, CHUNKS, countries, evaluate_country


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(country=countries(), chunk=CHUNKS)
@example(country=BOUNDARY, chunk=1)
@example(country=BOUNDARY, chunk=1000)
def test_the_evaluation_on_postgresql_raises_what_the_pure_rules_find(pg_runtime, country, chunk):
    evaluate_country(pg_runtime.sessions, pg_runtime.bus, country, chunk)
