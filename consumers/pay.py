"""What the stored work records give as pay for one assignment and day (or month)."""
from __future__ import annotations

import calendar
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

import payroll
from app.db.models import Assignment, AttendanceRecord, OutputRecord


def compute_line(session: Session, assignment: Assignment, day: date) -> tuple[int, dict] | None:
    """(amount in fen, the facts it came from) for one key, or None when no fact is left."""
    scheme = payroll.scheme_from_dict(assignment.scheme)
    if isinstance(scheme, payroll.MonthlyScheme):
        return _monthly(session, assignment, scheme, day)
    if isinstance(scheme, payroll.PieceScheme):
        return _piece(session, assignment, scheme, day)
    record = session.get(AttendanceRecord, (assignment.worker_id, assignment.site_id, day))
    if record is None:
        return None
    facts = {"attendance_event_id": record.event_id, "status": record.status}
    if isinstance(scheme, payroll.DailyScheme):
        return payroll.daily_day_pay(scheme, record.status), facts
    minutes = record.minutes
    if minutes is None and record.check_in is not None:
        minutes = payroll.minutes_between(_time(record.check_in), _time(record.check_out))
    facts["minutes"] = minutes
    return payroll.hourly_day_pay(scheme, record.status, minutes), facts


def _piece(session: Session, assignment: Assignment, scheme: payroll.PieceScheme, day: date):
    outputs = session.scalars(
        select(OutputRecord).where(
            OutputRecord.worker_id == assignment.worker_id, OutputRecord.site_id == assignment.site_id,
            OutputRecord.work_date == day, OutputRecord.voided_by.is_(None),
        ).order_by(OutputRecord.event_id)
    ).all()
    if not outputs:
        return None
    lines = [payroll.OutputLine(o.product, o.grade, o.quantity) for o in outputs]
    facts = {"outputs": [
        {"event_id": o.event_id, "product": o.product, "grade": o.grade, "quantity": o.quantity} for o in outputs
    ]}
    return payroll.piece_day_pay(scheme, lines), facts


def _monthly(session: Session, assignment: Assignment, scheme: payroll.MonthlyScheme, month_start: date):
    month_end = month_start.replace(day=calendar.monthrange(month_start.year, month_start.month)[1])
    records = [
        r for r in session.scalars(
            select(AttendanceRecord).where(
                AttendanceRecord.worker_id == assignment.worker_id,
                AttendanceRecord.site_id == assignment.site_id,
                AttendanceRecord.work_date.between(month_start, month_end),
            )
        )
        if assignment.covers(r.work_date)
    ]
    if not records:
        return None
    credits = sum(payroll.day_credit(r.status) for r in records)
    facts = {
        "days_recorded": len(records),
        "credits": str(Decimal(credits.numerator) / credits.denominator),
        "required_days": scheme.required_days,
    }
    return payroll.monthly_pay(scheme, [r.status for r in records]), facts


def _time(hhmm: str):
    return datetime.strptime(hhmm, "%H:%M").time()
