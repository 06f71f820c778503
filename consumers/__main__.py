"""`python -m consumers [wages|relay|alerts|webhooks]`: the wage consumer (default), the outbox relay,
the alerts process (the monthly alert evaluation and the webhook sender) or the webhook sender alone,
each stopped cleanly by SIGTERM (the batch in hand finishes first)."""
from __future__ import annotations

import argparse
import signal
import threading

from app.access.data_keys import require_data_keys
from app.logs import configure_logging
from app.metrics import serve_metrics
from app.runtime import Runtime, build_runtime
from app.settings import Settings
from consumers.deliveries import run_webhook_deliveries
from consumers.loop import run_wage_consumer, tune_garbage_collector
from consumers.outage import BusHealth
from consumers.relay import run_relay
from consumers.scheduler import run_alert_scheduler, run_retention_purge
from events.bus import BusUnavailable


def run_wage_process(runtime: Runtime, stop: threading.Event) -> None:
    """The wage consumer alone: nothing else in its process can exhaust its memory or stop it."""
    run_wage_consumer(runtime, stop)


def run_alerts_process(runtime: Runtime, stop: threading.Event) -> None:
    """The monthly alert evaluation, with the webhook sender and the retention purge in threads beside it."""
    sender = threading.Thread(target=run_webhook_deliveries, args=(runtime, stop), name="webhooks", daemon=True)
    sender.start()
    purger = threading.Thread(target=run_retention_purge, args=(runtime, stop), name="retention", daemon=True)
    purger.start()
    try:
        run_alert_scheduler(runtime, stop)
        stop.wait()  # with the schedule off (ALERT_CHECK_INTERVAL_S=0) the sender still runs
    finally:
        stop.set()
        sender.join(timeout=30)
        purger.join(timeout=30)


ROLES = {"wages": run_wage_process, "relay": run_relay, "alerts": run_alerts_process,
         "webhooks": run_webhook_deliveries}
# Roles that work on the database alone (alerts reach the bus through the outbox): a bus outage must not hold them up.
WITHOUT_BUS = {"alerts", "webhooks"}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m consumers")
    parser.add_argument("role", nargs="?", default="wages", choices=sorted(ROLES))
    parser.add_argument("--drain", action="store_true",
                        help="wages only: apply what is on the bus now, then exit")
    args = parser.parse_args()
    role = args.role
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    settings = Settings.from_env()
    configure_logging(settings.log_level)  # first: building the runtime may warn (app.access.data_keys)
    require_data_keys(settings)
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
