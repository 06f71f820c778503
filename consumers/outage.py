"""Whether a consumer or the relay reaches the bus: said once when it goes and once when it comes back."""
from __future__ import annotations

import time

import structlog

from app import metrics

log = structlog.get_logger("consumers.bus")


class BusHealth:
    """Tracks one process's bus outages: the `stablework_bus_up` gauge, a count of failed calls, and one log
    line per change rather than one per retry."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.down_since: float | None = None

    def failed(self, error: Exception) -> None:
        metrics.BUS_ERRORS.inc()
        if self.down_since is None:
            self.down_since = self.clock()
            metrics.BUS_UP.set(0)
            log.warning("bus unavailable; retrying with backoff until it returns", error=str(error)[:500])

    def reached(self) -> None:
        if self.down_since is not None:
            log.info("bus reachable again", down_s=round(self.clock() - self.down_since, 1))
            self.down_since = None
        metrics.BUS_UP.set(1)
