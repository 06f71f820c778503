"""Prometheus metrics of every process (API workers, wage consumers, relay).

With PROMETHEUS_MULTIPROC_DIR set (gunicorn, and `bin/serve` for all its children), every
process writes to that folder and any of them can expose the sum; otherwise each process
exposes its own registry.
"""
from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)

HTTP_REQUESTS = Counter("stablework_http_requests_total", "API requests", ["method", "route", "status"])
HTTP_LATENCY = Histogram("stablework_http_request_seconds", "API request latency", ["method", "route"],
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
EVENTS_CONSUMED = Counter("stablework_events_consumed_total", "Messages read by the wage consumer", ["type"])
EVENTS_APPLIED = Counter("stablework_events_applied_total", "Events that took effect", ["type"])
EVENTS_DUPLICATE = Counter("stablework_events_duplicate_total", "Redelivered events dropped by id", ["type"])
DEAD_LETTERS = Counter("stablework_dead_letters_total", "Messages parked in the dead-letter store", ["reason"])
CONSUMER_LAG = Gauge("stablework_consumer_lag", "Messages behind the end of the partition",
                     ["topic", "partition"], multiprocess_mode="livesum")
BUS_UP = Gauge("stablework_bus_up", "1 while this consumer or relay reaches the bus, 0 while it retries",
               multiprocess_mode="livemin")
BUS_ERRORS = Counter("stablework_bus_errors_total", "Bus calls that failed and were retried with backoff")
OUTBOX_BACKLOG = Gauge("stablework_outbox_backlog", "Event-log rows not yet published to Kafka",
                       multiprocess_mode="livemax")


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def render() -> tuple[bytes, str]:
    """The exposition of this process, or of all processes sharing the multiprocess folder."""
    return generate_latest(_registry()), CONTENT_TYPE_LATEST


def serve_metrics(port: int) -> None:
    """Expose /metrics of a worker process (consumer, relay) on `port`; 0 turns it off."""
    if port:
        start_http_server(port, addr=os.environ.get("METRICS_HOST", "127.0.0.1"), registry=_registry())
