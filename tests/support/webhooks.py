"""Raise alerts and deliver their webhooks, as the webhook tests do; BASE_S is their backoff base in seconds."""
from __future__ import annotations

from datetime import datetime

from app.alerts.cloudevent import alert_cloudevent
from app.alerts.webhooks import deliver_due, enqueue_deliveries
from app.db.models import Alert, Region

BASE_S = 0.01


def raise_alert(runtime, region_code: str, subject: str = "h-li", month: str = "2026-04") -> tuple[dict, int]:
    """Insert an alert as the evaluator does, queueing its deliveries in the same transaction."""
    with runtime.sessions.begin() as session:
        region = session.get(Region, region_code)
        alert = Alert(kind="income_drop", subject_type="household", subject_id=subject, household_id=subject,
                      month=month, region_code=region.code, region_path=region.path,
                      detail={"month_fen": 120000, "average_fen": 300000, "drop_ratio": "0.3"})
        session.add(alert)
        queued = enqueue_deliveries(session, alert)
        return alert_cloudevent(alert), queued


def deliver(runtime, now: datetime | None = None, settings=None) -> int:
    return deliver_due(runtime.sessions, settings or runtime.settings, now=now)
