"""Run the income-stability rules for a month and raise each new alert once: stored, published
on the alerts topic and queued for the webhooks, all in the caller's transaction."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

import payroll
from app.alerts.cloudevent import alert_cloudevent
from app.alerts.findings import Subject, arrears_findings, household_findings, no_work_findings
from app.alerts.webhooks import enqueue_all_deliveries
from app.db.models import Alert
from app.db.models.types import new_id, utcnow
from app.settings import Settings
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
    if session.get_bind().dialect.name == "postgresql":
        # the rules' statements cost enough to be JIT-compiled, and compiling them takes longer than running them
        session.execute(text("SET LOCAL jit = off"))
    findings = [*household_findings(session, month, thresholds, within),
                *no_work_findings(session, month, as_of, thresholds, within),
                *arrears_findings(session, as_of, thresholds, within)]
    return _raise_all(session, bus, alerts_topic, findings)


# rows per INSERT: eleven columns each stay well under PostgreSQL's 65,535 parameters
BATCH = 1000


def _raise_all(session: Session, bus: Bus, topic: str, findings: list[tuple[Subject, payroll.Finding]]) -> list[Alert]:
    """Insert the alerts not raised yet (the unique subject, kind and month skips the others, also those a
    concurrent evaluation raises), then publish and queue the new ones, a few statements for all of them."""
    rows = {}
    for subject, finding in findings:
        # a worker idle at two sites is one alert: the first finding (the lesser site) says which
        rows.setdefault((subject.type, subject.id, finding.kind, finding.month), _row(subject, finding))
    order = {row["id"]: n for n, row in enumerate(rows.values())}
    values = list(rows.values())
    alerts = [alert for start in range(0, len(values), BATCH) for alert in session.scalars(
        _insert_new(session).values(values[start:start + BATCH]).returning(Alert))]
    alerts.sort(key=lambda alert: order[alert.id])
    bus.stage(session, [OutgoingMessage(topic, alert.household_id or alert.subject_id,
                                        json.dumps(alert_cloudevent(alert), sort_keys=True).encode())
                        for alert in alerts])
    enqueue_all_deliveries(session, alerts)
    return alerts


def _row(subject: Subject, finding: payroll.Finding) -> dict:
    return {"id": new_id(), "kind": finding.kind, "subject_type": subject.type, "subject_id": subject.id,
            "household_id": subject.household_id, "month": finding.month, "region_code": subject.region_code,
            "region_path": subject.region_path, "status": "open", "detail": dict(finding.detail),
            "created_at": utcnow()}


def _insert_new(session: Session):
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return insert(Alert).on_conflict_do_nothing(index_elements=["subject_type", "subject_id", "kind", "month"])
