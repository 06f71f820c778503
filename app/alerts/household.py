"""A household as its poverty office looks at it: the members with their assignments of today and this
month's work, the months of per-capita income against the monitoring line, and the alerts raised for it
or its workers with what was done about them and by whom. Read-only; a handful of statements whatever the history."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

import payroll
from app.alerts.inbox import actor_names
from app.alerts.stats import worked_days
from app.db.models import Alert, Assignment, Employer, Household, Region, Site, Worker, WorkerMonthIncome
from app.pay.income import MonthIncome, monthly_income


@dataclass(frozen=True)
class CurrentAssignment:
    assignment_id: str
    site_id: str
    site_name: str
    site_kind: str  # workshop or post, or the kind of the employer whose site it is
    scheme_kind: str  # hourly, daily, piece or monthly
    start_date: date
    end_date: date | None


@dataclass(frozen=True)
class Member:
    worker_id: str
    name: str
    assignments: tuple[CurrentAssignment, ...]  # active today, by site
    days_at_work: int  # this month: days with a present or half-day record, or output not voided, anywhere
    income_fen: int  # this month's income so far, as the household's income counts it


@dataclass(frozen=True)
class AlertRecord:
    id: str
    kind: str
    month: str
    subject_type: str  # household or worker
    subject_id: str
    status: str  # open, acknowledged or resolved
    detail: dict[str, Any]
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by_name: str | None
    note: str | None
    resolved_at: datetime | None
    resolved_by_name: str | None
    help_given: str | None


@dataclass(frozen=True)
class HouseholdPage:
    household_id: str
    region_code: str
    region_name: str
    size: int
    status: str  # poor, monitored or other
    month: str  # this month, of the members' work
    members: tuple[Member, ...]
    income: tuple[MonthIncome, ...]  # oldest first, ending with this month
    line_fen: int  # the monitoring line per person and month, of this month's year (half-up)
    alerts: tuple[AlertRecord, ...]  # newest month first


def household_page(session: Session, household_id: str, today: date, thresholds: payroll.AlertThresholds, *,
                   within: str | None = None, months: int = 12) -> HouseholdPage | None:
    """The household's page as of `today`, or None when there is no such household inside `within` (a region
    path; None: anywhere)."""
    found = session.execute(select(Household, Region.name).join(Region, Region.code == Household.region_code)
                            .where(Household.id == household_id,
                                   *([Region.path.startswith(within)] if within is not None else []))).first()
    if found is None:
        return None
    household, region_name = found
    month = today.strftime("%Y-%m")
    return HouseholdPage(
        household.id, household.region_code, region_name, household.size, household.status, month,
        _members(session, household.id, today), tuple(monthly_income(session, household, month, months)),
        monthly_line_fen(thresholds, today.year), _alerts(session, household.id))


def monthly_line_fen(thresholds: payroll.AlertThresholds, year: int) -> int:
    """The monitoring line of `year` per person and month: the yearly line over 12, half-up."""
    return payroll.round_half_up(Fraction(thresholds.monitoring_line_fen(year), 12))


def _members(session: Session, household_id: str, today: date) -> tuple[Member, ...]:
    month = today.strftime("%Y-%m")
    workers = session.execute(select(Worker.id, Worker.name).where(Worker.household_id == household_id)
                              .order_by(Worker.id)).all()
    ids = [worker_id for worker_id, _ in workers]
    active = and_(Assignment.start_date <= today, or_(Assignment.end_date.is_(None), Assignment.end_date >= today))
    assignments: dict[str, list[CurrentAssignment]] = {worker_id: [] for worker_id in ids}
    kind = func.coalesce(Employer.kind, Site.kind)  # an employer's own site is of the employer's kind
    for row in session.execute(select(Assignment, Site.name, kind).join(Site, Site.id == Assignment.site_id)
                               .outerjoin(Employer, Employer.site_id == Site.id)
                               .where(Assignment.worker_id.in_(ids), active).order_by(Assignment.site_id)):
        a, site_name, site_kind = row
        assignments[a.worker_id].append(CurrentAssignment(a.id, a.site_id, site_name, site_kind, a.scheme["kind"],
                                                          a.start_date, a.end_date))
    worked = worked_days(today.replace(day=1), _month_end(today), workers=ids).subquery()
    days = dict(session.execute(select(worked.c.worker_id, func.count(worked.c.work_date.distinct()))
                                .group_by(worked.c.worker_id)).all())
    income = dict(session.execute(select(WorkerMonthIncome.worker_id, WorkerMonthIncome.income_fen).where(
        WorkerMonthIncome.worker_id.in_(ids), WorkerMonthIncome.month == month)).all())
    return tuple(Member(worker_id, name, tuple(assignments[worker_id]), days.get(worker_id, 0),
                        int(income.get(worker_id, 0))) for worker_id, name in workers)


def _month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def _alerts(session: Session, household_id: str) -> tuple[AlertRecord, ...]:
    alerts = session.scalars(select(Alert).where(Alert.household_id == household_id)
                             .order_by(Alert.month.desc(), Alert.created_at.desc(), Alert.id)).all()
    names = actor_names(session, {actor for a in alerts for actor in (a.acknowledged_by, a.resolved_by) if actor})
    return tuple(AlertRecord(a.id, a.kind, a.month, a.subject_type, a.subject_id, a.status, dict(a.detail),
                             a.created_at, a.acknowledged_at, names.get(a.acknowledged_by), a.note, a.resolved_at,
                             names.get(a.resolved_by), a.help_given) for a in alerts)

