"""`python -m consumers [wages|relay]`: the wage consumer (default) or the outbox relay as its
own process, stopped cleanly by SIGTERM (the batch in hand finishes first)."""
from __future__ import annotations

import argparse
import signal
import threading

import structlog

from app.logs import configure_logging
from app.metrics import serve_metrics
from app.runtime import Runtime, build_runtime
from consumers.loop import run_wage_consumer
from consumers.relay import run_relay
from events.bus import BusUnavailable

ROLES = {"wages": run_wage_consumer, "relay": run_relay}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m consumers")
    parser.add_argument("role", nargs="?", default="wages", choices=sorted(ROLES))
    role = parser.parse_args().role
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    runtime = build_runtime()
    configure_logging(runtime.settings.log_level)
    serve_metrics(runtime.settings.metrics_port)
    try:
        prepare_topics(runtime, stop)
        ROLES[role](runtime, stop)
    finally:
        runtime.close()


def prepare_topics(runtime: Runtime, stop: threading.Event) -> None:
    settings = runtime.settings
    while not stop.is_set():
        try:
            runtime.bus.prepare([settings.topic_work_events, settings.topic_dead_letters], settings.kafka_partitions)
            return
        except BusUnavailable as error:
            structlog.get_logger("consumers").warning("bus unavailable; retrying", error=str(error)[:500])
            stop.wait(2.0)


if __name__ == "__main__":
    main()
