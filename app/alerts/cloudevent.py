"""An alert as a CloudEvent: what the alerts topic carries and what webhooks receive."""
from __future__ import annotations

from typing import Any

from app.alerts.raised import RaisedAlert
from app.db.models import Alert
from events.envelope import format_time

ALERT_RAISED = "alert.raised"


def alert_cloudevent(alert: Alert | RaisedAlert) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": alert.id,
        "type": ALERT_RAISED,
        "source": "stablework/alerts",
        "subject": alert.household_id or alert.subject_id,
        "time": format_time(alert.created_at),
        "datacontenttype": "application/json",
        "data": {
            "alert_id": alert.id, "kind": alert.kind, "month": alert.month,
            "subject_type": alert.subject_type, "subject_id": alert.subject_id,
            "household_id": alert.household_id, "region_code": alert.region_code,
            "status": alert.status, "detail": alert.detail,
        },
    }
