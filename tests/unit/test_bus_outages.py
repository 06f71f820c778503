"""A consumer's or the relay's bus outage: one log line when it starts and one when it ends, and a gauge."""
from __future__ import annotations

from prometheus_client import REGISTRY
from structlog.testing import capture_logs

from consumers.outage import BusHealth
from events.bus import BusUnavailable


def bus_up() -> float | None:
    return REGISTRY.get_sample_value("stablework_bus_up")


def test_an_outage_is_logged_once_however_many_retries_and_shown_by_the_gauge():
    clock = iter(range(100)).__next__
    health = BusHealth(clock=clock)
    errors_before = REGISTRY.get_sample_value("stablework_bus_errors_total") or 0
    with capture_logs() as logs:
        health.reached()
        assert bus_up() == 1
        for _ in range(5):
            health.failed(BusUnavailable("broker gone"))
        assert bus_up() == 0
        health.reached()
        health.reached()
    assert bus_up() == 1
    assert [line["event"] for line in logs] == [
        "bus unavailable; retrying with backoff until it returns", "bus reachable again"]
    assert REGISTRY.get_sample_value("stablework_bus_errors_total") == errors_before + 5
