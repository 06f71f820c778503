"""Run the income-stability rules for a month and raise each new alert once: stored, published
on the alerts topic and queued for the webhooks, in the caller's transaction. The rules run chunk by
chunk (app/alerts/findings.py), so that what an evaluation holds grows with a chunk, not with the country;
the schedule (app/alerts/schedule.py) commits each chunk on its own and resumes after the last one."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.orm import Session

import payroll
from app.alerts.changed import EVERYTHING, Changed
from app.alerts.cloudevent import alert_cloudevent
from app.alerts.findings import (
    Chunk,
    Findings,
    Subject,
    arrears_findings,
    household_findings,
    next_chunk,
    no_work_findings,
    recorded_days,
)
from app.alerts.raised import RaisedAlert
from app.alerts.webhooks import enqueue_all_deliveries
from app.db.models import Alert
from app.db.models.types import new_id, utcnow
from app.db.rows import insert_new_rows
from app.jobs.match_rows import keep_households
from app.settings import Settings
from events.bus import Bus, OutgoingMessage

UNIQUE = ["subject_type", "subject_id", "kind", "month"]  # an alert of each (subject, kind, month), raised once


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


@dataclass(frozen=True)
class Evaluation:
    """The rules for `month` as things stand on `as_of`, inside `within` (a region path, None: everywhere),
    `size` households or sites a chunk, for the subjects `changed` (app/alerts/baseline.py; all by default)."""
    month: str
    as_of: date
    thresholds: payroll.AlertThresholds
    within: str | None = None
    size: int = Settings.alert_evaluation_chunk
    changed: Changed = EVERYTHING


def evaluate(session: Session, bus: Bus, alerts_topic: str, month: str, as_of: date,
             thresholds: payroll.AlertThresholds, within: str | None = None,
             chunk: int = Settings.alert_evaluation_chunk) -> list[RaisedAlert]:
    """Apply every rule for `month` as things stand on `as_of`; return the alerts newly raised.

    `within` (a region path) raises only the alerts inside that region: a county office's
    evaluation leaves the other counties alone. All the chunks run in the caller's transaction."""
    evaluation = Evaluation(month, as_of, thresholds, within, chunk)
    _without_jit(session)
    site_days, alerts, done = site_days_of(session, evaluation), [], None
    while True:
        part = next_chunk(session, done, within, chunk)
        alerts += _raise_all(session, bus, alerts_topic, _findings(session, evaluation, part, site_days))
        if part.is_last:
            return alerts
        done = part.done


def evaluate_chunk(session: Session, evaluation: Evaluation, chunk: Chunk,
                   site_days: dict[str, list[date]]) -> list[RaisedAlert]:
    """Apply the rules of one chunk (`site_days`: `site_days_of` the evaluation): store the alerts newly raised and
    queue their webhooks; return them, for `alert_messages` to publish."""
    _without_jit(session)
    return _store_new(session, _findings(session, evaluation, chunk, site_days))


def site_days_of(session: Session, evaluation: Evaluation, part: Chunk | None = None) -> dict[str, list[date]]:
    """Each site's last recorded days that no_work looks at (of the sites in `part`, a key range; None: all): read
    once for all of an evaluation's chunks."""
    _without_jit(session)
    return recorded_days(session, evaluation.as_of, evaluation.thresholds, evaluation.changed.work_sites, part)


def _findings(session: Session, e: Evaluation, chunk: Chunk, site_days: dict[str, list[date]]) -> Findings:
    if chunk.subjects == "site":
        yield from arrears_findings(session, e.as_of, e.thresholds, e.within, chunk, e.changed.pay_sites)
        return
    yield from household_findings(session, e.month, e.thresholds, e.within, chunk, e.changed.households)
    yield from no_work_findings(session, e.month, e.as_of, e.thresholds, e.within, chunk, site_days,
                                e.changed.work_sites)


def _without_jit(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # the rules' statements cost enough to be JIT-compiled, and compiling them takes longer than running them
        session.execute(text("SET LOCAL jit = off"))


def _raise_all(session: Session, bus: Bus, topic: str, findings: Findings) -> list[RaisedAlert]:
    alerts = _store_new(session, findings)
    bus.stage(session, alert_messages(topic, alerts))
    return alerts


def _store_new(session: Session, findings: Findings) -> list[RaisedAlert]:
    """Insert the alerts not raised yet (the unique subject, kind and month skips the others, also those a
    concurrent evaluation raises) and queue their webhooks, a few statements for all of them."""
    rows = {}
    for subject, finding in findings:
        # a worker idle at two sites is one alert: the first finding (the lesser site) says which
        rows.setdefault((subject.type, subject.id, finding.kind, finding.month), _row(subject, finding))
    if not rows:
        return []
    alerts = [RaisedAlert(**row) for row in insert_new_rows(session, Alert.__table__, list(rows.values()), UNIQUE)]
    enqueue_all_deliveries(session, alerts)
    keep_households(session, {alert.household_id for alert in alerts if alert.household_id})
    return alerts


def alert_messages(topic: str, alerts: list[RaisedAlert]) -> list[OutgoingMessage]:
    """The new alerts' messages on the alerts topic, keyed by household."""
    return [OutgoingMessage(topic, alert.household_id or alert.subject_id,
                            json.dumps(alert_cloudevent(alert), sort_keys=True).encode()) for alert in alerts]


def _row(subject: Subject, finding: payroll.Finding) -> dict:
    return {"id": new_id(), "kind": finding.kind, "subject_type": subject.type, "subject_id": subject.id,
            "household_id": subject.household_id, "month": finding.month, "region_code": subject.region_code,
            "region_path": subject.region_path, "status": "open", "detail": dict(finding.detail),
            "created_at": utcnow()}
