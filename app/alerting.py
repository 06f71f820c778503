"""Run the income-stability rules for a month and raise each new alert once: stored, published
on the alerts topic and queued for the webhooks, all in the caller's transaction."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import payroll
from app.alert_events import alert_cloudevent
from app.alert_findings import Subject, arrears_findings, household_findings, no_work_findings
from app.db.models import Alert
from app.settings import Settings
from app.webhooks import enqueue_deliveries
from events.bus import Bus, OutgoingMessage


def thresholds_from(settings: Settings) -> payroll.AlertThresholds:
    """The rule thresholds of the settings; the monitoring line is set per year, in yuan."""
    lines = {}
    for entry in filter(None, (part.strip() for part in settings.alert_monitoring_lines.split(","))):
        year, _, yuan = entry.partition(":")
        try:
            lines[int(year)] = int(yuan) * 100
        except ValueError:
            raise ValueError(f"ALERT_MONITORING_LINES: {entry!r} is not YEAR:YUAN") from None
    return payroll.AlertThresholds(
        drop_ratio=Decimal(settings.alert_drop_ratio), monitoring_lines=lines,
        default_monitoring_line_fen=settings.alert_default_monitoring_line_yuan * 100,
        no_work_days=settings.alert_no_work_days, arrears_days=settings.alert_arrears_days,
        projection_months=settings.alert_projection_months,
    )


def evaluate(session: Session, bus: Bus, alerts_topic: str, month: str, as_of: date,
             thresholds: payroll.AlertThresholds, within: str | None = None) -> list[Alert]:
    """Apply every rule for `month` as things stand on `as_of`; return the alerts newly raised.

    `within` (a region path) raises only the alerts inside that region: a county office's
    evaluation leaves the other counties alone."""
    findings = [*household_findings(session, month, thresholds, within),
                *no_work_findings(session, month, as_of, thresholds, within),
                *arrears_findings(session, as_of, thresholds, within)]
    return [alert for subject, finding in findings if (alert := _raise(session, bus, alerts_topic, subject, finding))]


def _raise(session: Session, bus: Bus, topic: str, subject: Subject, finding: payroll.Finding) -> Alert | None:
    exists = session.scalar(select(Alert.id).where(
        Alert.subject_type == subject.type, Alert.subject_id == subject.id, Alert.kind == finding.kind,
        Alert.month == finding.month))
    if exists is not None:
        return None
    alert = Alert(kind=finding.kind, subject_type=subject.type, subject_id=subject.id,
                  household_id=subject.household_id, month=finding.month, region_code=subject.region_code,
                  region_path=subject.region_path, detail=dict(finding.detail))
    try:
        with session.begin_nested():
            session.add(alert)
    except IntegrityError:
        return None  # a concurrent evaluation raised it first: still one alert
    body = json.dumps(alert_cloudevent(alert), sort_keys=True).encode()
    bus.stage(session, [OutgoingMessage(topic, subject.household_id or subject.id, body)])
    enqueue_deliveries(session, alert)
    return alert
