"""A site's day as the register shows it: who is assigned, what their scheme asks, and what is recorded."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

import payroll
from app.api.access import Principal
from app.db.models import Assignment, AttendanceRecord, OutputRecord, Region, Site, Worker
from app.ledger.terms import AssignmentTerms, assignment_terms
from app.pay.periods import earliest_open_month, period_status
from app.settings import Settings

CHINA = ZoneInfo("Asia/Shanghai")  # the sites' calendar: a day starts at midnight in China


def register_today(settings: Settings) -> date:
    """The register's today: the settings' fixed day, else the calendar date in China."""
    return settings.fixed_today or datetime.now(CHINA).date()


@dataclass(frozen=True)
class Output:
    id: str
    product: str
    grade: str
    quantity: int
    voided: bool


@dataclass
class Row:
    """One worker on the day's register: the scheme decides what is asked (times, output rows)."""

    worker_id: str
    name: str
    kind: str  # the wage scheme's kind: hourly, daily, piece or monthly
    products: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    mark: AttendanceRecord | None = None
    outputs: list[Output] = field(default_factory=list)


@dataclass(frozen=True)
class Month:
    """Whether a day's marks may still change: only while its month is open at the site."""

    month: str
    status: str  # open, closed, approved or paid
    adjusted_in: str | None  # approved or paid: the open month a late fact would be paid in as an adjustment

    @property
    def open(self) -> bool:
        return self.status == "open"


def sites_of(session: Session, principal: Principal) -> list[Site]:
    """The sites a person may keep the register of: a supervisor's own, an admin's region's."""
    query = select(Site).order_by(Site.name, Site.id)
    if principal.role == "supervisor":
        query = query.where(Site.id.in_(principal.site_ids))
    elif principal.region_path is not None:
        query = query.join(Region, Site.region_code == Region.code).where(
            Region.path.startswith(principal.region_path, autoescape=True))
    return list(session.scalars(query))


def month_of(session: Session, site_id: str, day: date) -> Month:
    month = f"{day:%Y-%m}"
    status = period_status(session, site_id, month)
    later = earliest_open_month(session, site_id, month) if status in ("approved", "paid") else None
    return Month(month, status, later)


def roster(session: Session, site_id: str, day: date) -> list[Row]:
    """Every worker assigned at the site on the day, by name, with the day's latest mark and outputs."""
    terms = assignment_terms(session, _assignment_at(site_id, day))
    workers = {t.worker_id for t in terms}
    names = dict(session.execute(select(Worker.id, Worker.name).where(Worker.id.in_(workers))).all())
    rows = {t.worker_id: _row(t, names.get(t.worker_id, t.worker_id)) for t in terms}
    for mark in session.scalars(select(AttendanceRecord).where(
            AttendanceRecord.site_id == site_id, AttendanceRecord.work_date == day)):
        if mark.worker_id in rows:
            rows[mark.worker_id].mark = mark
    for output in session.scalars(select(OutputRecord).where(
            OutputRecord.site_id == site_id, OutputRecord.work_date == day).order_by(OutputRecord.event_id)):
        if output.worker_id in rows:
            rows[output.worker_id].outputs.append(Output(output.event_id, output.product, output.grade,
                                                         output.quantity, output.voided_by is not None))
    return sorted(rows.values(), key=lambda row: (row.name, row.worker_id))


def _assignment_at(site_id: str, day: date):
    return (Assignment.site_id == site_id) & (Assignment.start_date <= day) & or_(
        Assignment.end_date.is_(None), Assignment.end_date >= day)


def _row(terms: AssignmentTerms, name: str) -> Row:
    scheme = terms.wage_scheme
    if isinstance(scheme, payroll.PieceScheme):
        return Row(terms.worker_id, name, scheme.kind, tuple(sorted(scheme.rates)), tuple(sorted(scheme.grades)))
    return Row(terms.worker_id, name, scheme.kind)
