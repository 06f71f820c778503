"""`python -m consumers [wages|relay|webhooks]`: the wage consumer (default; it also runs the monthly
alert evaluation and sends webhooks), the outbox relay, or the webhook sender alone, each stopped
cleanly by SIGTERM (the batch in hand finishes first)."""
from __future__ import annotations

import argparse
import signal
import threading

from app.logs import configure_logging
from app.metrics import serve_metrics
from app.runtime import Runtime, build_runtime
from app.settings import Settings
from consumers.deliveries import run_webhook_deliveries
from consumers.loop import run_wage_consumer, tune_garbage_collector
from consumers.outage import BusHealth
from consumers.relay import run_relay
from consumers.scheduler import run_alert_scheduler
from events.bus import BusUnavailable


def run_wage_process(runtime: Runtime, stop: threading.Event) -> None:
    """The wage consumer, with the monthly alert evaluation and the webhook sender beside it."""
    helpers = [threading.Thread(target=job, args=(runtime, stop), name=job.__name__, daemon=True)
               for job in (run_alert_scheduler, run_webhook_deliveries)]
    for thread in helpers:
        thread.start()
    try:
        run_wage_consumer(runtime, stop)
    finally:
        stop.set()
        for thread in helpers:
            thread.join(timeout=30)


ROLES = {"wages": run_wage_process, "relay": run_relay, "webhooks": run_webhook_deliveries}
WITHOUT_BUS = {"webhooks"}  # works on the database alone: a bus outage must not hold it up


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m consumers")
    parser.add_argument("role", nargs="?", default="wages", choices=sorted(ROLES))
    parser.add_argument("--drain", action="store_true",
                        help="wages only: apply what is on the bus now, then exit (no schedule, no webhooks)")
    args = parser.parse_args()
    role = args.role
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    settings = Settings.from_env()
    configure_logging(settings.log_level)  # first: building the runtime may warn (app.data_keys)
    runtime = build_runtime(settings)
    serve_metrics(runtime.settings.metrics_port)
    tune_garbage_collector()
    try:
        if role not in WITHOUT_BUS:
            prepare_topics(runtime, stop)
        if args.drain:
            run_wage_consumer(runtime, stop, until_idle=True)
        else:
            ROLES[role](runtime, stop)
    finally:
        runtime.close()


def prepare_topics(runtime: Runtime, stop: threading.Event) -> None:
    settings = runtime.settings
    health = BusHealth()
    while not stop.is_set():
        try:
            runtime.bus.prepare([settings.topic_work_events, settings.topic_dead_letters, settings.topic_alerts],
                                settings.kafka_partitions)
            health.reached()
            return
        except BusUnavailable as error:
            health.failed(error)
            stop.wait(2.0)


if __name__ == "__main__":
    main()
