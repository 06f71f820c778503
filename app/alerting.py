"""Run the income-stability rules for a month and raise each new alert once: stored, published
on the alerts topic and queued for the webhooks, all in the caller's transaction."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import payroll
from app.alert_events import alert_cloudevent
from app.db.models import (
    Alert,
    ApprovedPay,
    Assignment,
    AttendanceRecord,
    Household,
    OutputRecord,
    PaymentLine,
    PeriodTransition,
    Region,
    Site,
    Worker,
)
from app.income import household_income
from app.settings import Settings
from app.webhooks import enqueue_deliveries
from events.bus import Bus, OutgoingMessage

WORKED = ("present", "half_day")


@dataclass(frozen=True)
class Subject:
    type: str
    id: str
    household_id: str | None
    region_code: str


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
    findings = [*_household_findings(session, month, thresholds),
                *_no_work_findings(session, month, as_of, thresholds),
                *_arrears_findings(session, as_of, thresholds)]
    if within is not None:
        findings = [(subject, finding) for subject, finding in findings
                    if session.get(Region, subject.region_code).path.startswith(within)]
    return [alert for subject, finding in findings if (alert := _raise(session, bus, alerts_topic, subject, finding))]


def _household_findings(session: Session, month: str, t: payroll.AlertThresholds):
    months = sorted(set(payroll.previous_months(month, 11) + [month] + payroll.months_of_year_until(month)))
    income = household_income(session, months)
    for household in session.scalars(select(Household)):
        series = income.get(household.id, {})
        subject = Subject("household", household.id, household.id, household.region_code)
        for finding in (payroll.income_drop(series, month, t),
                        payroll.below_line(household.status, household.size, series, month, t),
                        payroll.projected_below_line(household.status, household.size, series, month, t)):
            if finding is not None:
                yield subject, finding


def _no_work_findings(session: Session, month: str, as_of: date, t: payroll.AlertThresholds):
    """Workers with an assignment active on `as_of` who have not worked on the site's last N recorded days."""
    # the last N recorded days of a site lie well within a year
    site_days, worked = _days_of_work(session, as_of - timedelta(days=366), as_of)
    active = session.execute(
        select(Assignment.worker_id, Assignment.site_id, Worker.household_id, Household.region_code)
        .join(Worker, Worker.id == Assignment.worker_id).join(Household, Household.id == Worker.household_id)
        .where(Assignment.start_date <= as_of,
               (Assignment.end_date.is_(None)) | (Assignment.end_date >= as_of)))
    for worker_id, site_id, household_id, region_code in active:
        finding = payroll.no_work(worked[(worker_id, site_id)], site_days[site_id], as_of, t)
        if finding is not None:
            yield Subject("worker", worker_id, household_id, region_code), _in_month(finding, month, site_id)


def _days_of_work(session: Session, since: date, until: date):
    """Each site's recorded days (attendance or output) and each (worker, site)'s days of work: a present or
    half day, or a day with output, since a piece-rate site may record output without attendance."""
    site_days, worked = defaultdict(set), defaultdict(set)
    attendance = session.execute(select(AttendanceRecord.worker_id, AttendanceRecord.site_id,
                                        AttendanceRecord.work_date, AttendanceRecord.status)
                                 .where(AttendanceRecord.work_date.between(since, until)))
    for worker_id, site_id, day, status in attendance:
        site_days[site_id].add(day)
        if status in WORKED:
            worked[(worker_id, site_id)].add(day)
    output = session.execute(select(OutputRecord.worker_id, OutputRecord.site_id, OutputRecord.work_date,
                                    func.max(OutputRecord.quantity))
                             .where(OutputRecord.work_date.between(since, until), OutputRecord.voided_by.is_(None))
                             .group_by(OutputRecord.worker_id, OutputRecord.site_id, OutputRecord.work_date))
    for worker_id, site_id, day, quantity in output:
        site_days[site_id].add(day)
        if quantity > 0:
            worked[(worker_id, site_id)].add(day)
    return site_days, worked


def _arrears_findings(session: Session, as_of: date, t: payroll.AlertThresholds):
    """Approved periods with money still unpaid D days after approval; the subject is the site."""
    approved = session.execute(
        select(PeriodTransition.site_id, PeriodTransition.month, func.max(PeriodTransition.at))
        .where(PeriodTransition.to_status == "approved").group_by(PeriodTransition.site_id, PeriodTransition.month))
    for site_id, month, approved_at in approved:
        unpaid = _unpaid(session, site_id, month)
        finding = payroll.wage_arrears(approved_at.date(), unpaid, as_of, t, month)
        if finding is not None:
            site = session.get(Site, site_id)
            yield Subject("site", site_id, None, site.region_code), finding


def _unpaid(session: Session, site_id: str, month: str) -> int:
    approved = session.scalar(select(func.coalesce(func.sum(ApprovedPay.amount_fen), 0)).where(
        ApprovedPay.site_id == site_id, ApprovedPay.month == month))
    paid = session.scalar(select(func.coalesce(func.sum(PaymentLine.amount_fen), 0)).where(
        PaymentLine.site_id == site_id, PaymentLine.month == month, PaymentLine.status == "confirmed"))
    return int(approved) - int(paid)


def _in_month(finding: payroll.Finding, month: str, site_id: str) -> payroll.Finding:
    return payroll.Finding(finding.kind, month, {**finding.detail, "site_id": site_id})


def _raise(session: Session, bus: Bus, topic: str, subject: Subject, finding: payroll.Finding) -> Alert | None:
    exists = session.scalar(select(Alert.id).where(
        Alert.subject_type == subject.type, Alert.subject_id == subject.id, Alert.kind == finding.kind,
        Alert.month == finding.month))
    if exists is not None:
        return None
    alert = Alert(kind=finding.kind, subject_type=subject.type, subject_id=subject.id,
                  household_id=subject.household_id, month=finding.month, region_code=subject.region_code,
                  region_path=session.get(Region, subject.region_code).path, detail=dict(finding.detail))
    try:
        with session.begin_nested():
            session.add(alert)
    except IntegrityError:
        return None  # a concurrent evaluation raised it first: still one alert
    body = json.dumps(alert_cloudevent(alert), sort_keys=True).encode()
    bus.stage(session, [OutgoingMessage(topic, subject.household_id or subject.id, body)])
    enqueue_deliveries(session, alert)
    return alert
