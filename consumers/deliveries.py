"""The webhook sender's loop: try the due alert deliveries and workers' text messages, then wait `webhook_poll_s`.

Its own process (`python -m consumers webhooks`) or a thread of the alerts process. Several may run
at once: each delivery is claimed by one. A database failure is retried with backoff; nothing is lost,
as a delivery's state lives in the database.
"""
from __future__ import annotations

import threading

import structlog
from sqlalchemy.exc import DBAPIError, OperationalError

from app.alerts.webhooks import deliver_due
from app.messages.outbox import deliver_due_messages
from app.messages.senders import sender_for
from app.runtime import Runtime

log = structlog.get_logger("consumers.webhooks")


def run_webhook_deliveries(runtime: Runtime, stop: threading.Event) -> None:
    settings = runtime.settings
    backoff, texts = 0.5, sender_for(settings)
    log.info("webhook deliveries started", poll_s=settings.webhook_poll_s)
    while not stop.is_set():
        try:
            # One at a time, so a stop request waits for at most one receiver.
            sent = deliver_due(runtime.sessions, settings, limit=1)
            sent += deliver_due_messages(runtime.sessions, settings, texts, limit=1)
            backoff = 0.5
            if not sent:
                stop.wait(settings.webhook_poll_s)
        except (OperationalError, DBAPIError) as error:
            log.warning("webhook deliveries failed; will retry", error=str(error)[:500])
            stop.wait(backoff)
            backoff = min(backoff * 2, 10.0)
    log.info("webhook deliveries stopped")
