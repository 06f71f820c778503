"""An alert's life once raised: an office acknowledges it (open -> acknowledged), then resolves it, saying
what help was given (acknowledged -> resolved). The audit log records each move as the caller's write."""
from __future__ import annotations

from sqlalchemy.orm import object_session

from app.db.models import Alert
from app.db.models.types import utcnow
from app.jobs.match_rows import keep_households


class AlertConflict(Exception):
    """The alert is not in the status the move needs (perhaps someone else just moved it)."""


def acknowledge_alert(alert: Alert, actor_token_id: str, note: str | None) -> Alert:
    """Mark an open alert as seen and acted on by the actor; raises AlertConflict for any other status."""
    if alert.status != "open":
        raise AlertConflict(f"the alert is {alert.status}, not open")
    alert.status, alert.acknowledged_at, alert.acknowledged_by = "acknowledged", utcnow(), actor_token_id
    alert.note = note
    return alert


def resolve_alert(alert: Alert, actor_token_id: str, help_given: str) -> Alert:
    """Close an acknowledged alert with the help given; raises AlertConflict for any other status."""
    if alert.status != "acknowledged":
        raise AlertConflict(f"the alert is {alert.status}; acknowledge it before resolving it")
    alert.status, alert.resolved_at, alert.resolved_by = "resolved", utcnow(), actor_token_id
    alert.help_given = help_given
    session = object_session(alert)
    if session is not None and alert.household_id:  # matching's rows of a stored alert's household
        keep_households(session, [alert.household_id])
    return alert
