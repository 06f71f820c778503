"""The alert evaluation raises exactly what the pure rules of payroll/alerts.py find, kind by kind, on the
embedded default (SQLite); tests/integration holds the same test on PostgreSQL."""
from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from support.alert_world import BOUNDARY, CHUNKS, countries, evaluate_country


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(country=countries(), chunk=CHUNKS)
@example(country=BOUNDARY, chunk=1)
@example(country=BOUNDARY, chunk=1000)
def test_the_evaluation_raises_what_the_pure_rules_find(runtime, country, chunk):
    evaluate_country(runtime.sessions, runtime.bus, country, chunk)
