"""What the alert rules find, asked of the database: each rule is a query (or two) that returns only its
findings and the evidence the pure rule of payroll/alerts.py needs to state them, never a year of rows.
`within` (a region path) is part of every query: a county's evaluation reads only its county."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, and_, exists, func, select, union
from sqlalchemy.orm import Session

import payroll
from app.db.models import (
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
from app.pay.income import household_income

WORKED = ("present", "half_day")
# the last N recorded days of a site lie well within a year
LOOKBACK = timedelta(days=366)


@dataclass(frozen=True)
class Subject:
    type: str
    id: str
    household_id: str | None
    region_code: str
    region_path: str


Findings = Iterator[tuple[Subject, payroll.Finding]]


def _inside(query: Select, within: str | None) -> Select:
    return query if within is None else query.where(Region.path.startswith(within, autoescape=True))


def household_findings(session: Session, month: str, t: payroll.AlertThresholds, within: str | None) -> Findings:
    """income_drop, below_line and projected_below_line of every household inside `within`."""
    months = sorted(set(payroll.previous_months(month, 11) + [month] + payroll.months_of_year_until(month)))
    income = household_income(session, months)
    households = session.execute(_inside(
        select(Household.id, Household.status, Household.size, Household.region_code, Region.path)
        .join(Region, Region.code == Household.region_code), within))
    for household_id, status, size, region_code, path in households:
        series = income.get(household_id, {})
        subject = Subject("household", household_id, household_id, region_code, path)
        for finding in (payroll.income_drop(series, month, t),
                        payroll.below_line(status, size, series, month, t),
                        payroll.projected_below_line(status, size, series, month, t)):
            if finding is not None:
                yield subject, finding


def no_work_findings(session: Session, month: str, as_of: date, t: payroll.AlertThresholds,
                     within: str | None) -> Findings:
    """Workers with an assignment active on `as_of` who worked on none of the site's last N recorded days.

    Every day of work is also a recorded day, so "none of the last N" is "none since the N-th last": one
    statement ranks each site's recorded days, keeps the idle assignments and returns their N days."""
    since = as_of - LOOKBACK
    ranked = _ranked_days(since, as_of)
    cutoff = select(ranked.c.site_id, ranked.c.work_date.label("cutoff")).where(
        ranked.c.rank == t.no_work_days).subquery("cutoff")
    idle = _inside(
        select(Assignment.worker_id, Assignment.site_id, Worker.household_id, Household.region_code, Region.path,
               _last_attended(since, as_of).label("last_attended"), _last_produced(since, as_of).label("last_produced"))
        .join(Worker, Worker.id == Assignment.worker_id).join(Household, Household.id == Worker.household_id)
        .join(Region, Region.code == Household.region_code).join(cutoff, cutoff.c.site_id == Assignment.site_id)
        .where(Assignment.start_date <= as_of, Assignment.end_date.is_(None) | (Assignment.end_date >= as_of),
               ~_attended(cutoff.c.cutoff, as_of), ~_produced(cutoff.c.cutoff, as_of)), within
    ).distinct().subquery("idle")
    rows = session.execute(
        select(idle, ranked.c.work_date)
        .join(ranked, and_(ranked.c.site_id == idle.c.site_id, ranked.c.rank <= t.no_work_days))
        .order_by(idle.c.worker_id, idle.c.site_id, ranked.c.work_date))
    days, subjects, last_worked = defaultdict(list), {}, {}
    for worker_id, site_id, household_id, region_code, path, attended, produced, day in rows:
        days[(worker_id, site_id)].append(day)
        subjects[(worker_id, site_id)] = Subject("worker", worker_id, household_id, region_code, path)
        last_worked[(worker_id, site_id)] = [d for d in (attended, produced) if d is not None]
    for (worker_id, site_id), site_days in days.items():
        finding = payroll.no_work(last_worked[(worker_id, site_id)], site_days, as_of, t)
        if finding is not None:
            detail = {**finding.detail, "site_id": site_id}
            yield subjects[(worker_id, site_id)], payroll.Finding(finding.kind, month, detail)


def _ranked_days(since: date, until: date):
    """Each site's recorded days (attendance, or output not voided), numbered from the latest."""
    attended = select(AttendanceRecord.site_id, AttendanceRecord.work_date).where(
        AttendanceRecord.work_date.between(since, until))
    produced = select(OutputRecord.site_id, OutputRecord.work_date).where(
        OutputRecord.work_date.between(since, until), OutputRecord.voided_by.is_(None))
    recorded = union(attended, produced).subquery("recorded")
    rank = func.row_number().over(partition_by=recorded.c.site_id, order_by=recorded.c.work_date.desc())
    return select(recorded.c.site_id, recorded.c.work_date, rank.label("rank")).cte("ranked")


def _attendance_worked(since, until):
    return and_(AttendanceRecord.worker_id == Assignment.worker_id, AttendanceRecord.site_id == Assignment.site_id,
                AttendanceRecord.work_date.between(since, until), AttendanceRecord.status.in_(WORKED))


def _output_worked(since, until):
    # a day with output is a day of work: a piece-rate site may record output without attendance
    return and_(OutputRecord.worker_id == Assignment.worker_id, OutputRecord.site_id == Assignment.site_id,
                OutputRecord.work_date.between(since, until), OutputRecord.voided_by.is_(None),
                OutputRecord.quantity > 0)


def _attended(since, until):
    return exists().where(_attendance_worked(since, until))


def _produced(since, until):
    return exists().where(_output_worked(since, until))


def _last_attended(since: date, until: date):
    return select(func.max(AttendanceRecord.work_date)).where(_attendance_worked(since, until)).scalar_subquery()


def _last_produced(since: date, until: date):
    return select(func.max(OutputRecord.work_date)).where(_output_worked(since, until)).scalar_subquery()


def arrears_findings(session: Session, as_of: date, t: payroll.AlertThresholds, within: str | None) -> Findings:
    """Approved periods with money still unpaid D days after approval (one statement); the subject is the site."""
    approved = (select(PeriodTransition.site_id, PeriodTransition.month, func.max(PeriodTransition.at).label("at"))
                .where(PeriodTransition.to_status == "approved")
                .group_by(PeriodTransition.site_id, PeriodTransition.month).subquery("approved"))
    owed = (select(ApprovedPay.site_id, ApprovedPay.month, func.sum(ApprovedPay.amount_fen).label("fen"))
            .group_by(ApprovedPay.site_id, ApprovedPay.month).subquery("owed"))
    paid = (select(PaymentLine.site_id, PaymentLine.month, func.sum(PaymentLine.amount_fen).label("fen"))
            .where(PaymentLine.status == "confirmed").group_by(PaymentLine.site_id, PaymentLine.month)
            .subquery("paid"))
    unpaid = (func.coalesce(owed.c.fen, 0) - func.coalesce(paid.c.fen, 0)).label("unpaid")
    rows = session.execute(_inside(
        select(approved.c.site_id, approved.c.month, approved.c.at, unpaid, Site.region_code, Region.path)
        .join(Site, Site.id == approved.c.site_id).join(Region, Region.code == Site.region_code)
        .outerjoin(owed, and_(owed.c.site_id == approved.c.site_id, owed.c.month == approved.c.month))
        .outerjoin(paid, and_(paid.c.site_id == approved.c.site_id, paid.c.month == approved.c.month))
        .where(unpaid > 0), within))
    for site_id, month, approved_at, unpaid_fen, region_code, path in rows:
        finding = payroll.wage_arrears(approved_at.date(), int(unpaid_fen), as_of, t, month)
        if finding is not None:
            yield Subject("site", site_id, None, region_code, path), finding
