"""Recompute the wage lines of touched (assignment, day) keys from the stored work records."""
from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

import payroll
from app.db.models import Assignment, AttendanceRecord, OutputRecord, WageLine
from consumers.handlers import WageKey


def recompute_wage_lines(session: Session, keys: Iterable[WageKey]) -> None:
    keys = set(keys)
    if not keys:
        return
    assignments = {
        a.id: a for a in session.scalars(select(Assignment).where(Assignment.id.in_({k[0] for k in keys})))
    }
    existing = {
        (line.assignment_id, line.work_date): line
        for line in session.scalars(
            select(WageLine).where(tuple_(WageLine.assignment_id, WageLine.work_date).in_(list(keys)))
        )
    }
    for assignment_id, day in sorted(keys):  # sorted: new lines get ids in date order, run after run
        assignment = assignments[assignment_id]
        computed = compute_line(session, assignment, day)
        line = existing.get((assignment_id, day))
        if computed is None:
            if line is not None:
                session.delete(line)
            continue
        amount, facts = computed
        if line is None:
            line = WageLine(
                assignment_id=assignment_id, worker_id=assignment.worker_id, site_id=assignment.site_id,
                period=day.strftime("%Y-%m"), work_date=day, scheme=assignment.scheme["kind"],
            )
            session.add(line)
        line.amount_fen = amount
        line.facts = facts


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
