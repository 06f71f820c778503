"""What the stored work records give as pay for one assignment and day (or month)."""
from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

import payroll
from app.db.models import AttendanceRecord, OutputRecord
from app.db.queries import among, key_slices
from app.worklog import AssignmentTerms

# load_facts reads rows, not ORM objects: a batch's records are written by Core statements, and rows are
# cheaper to build; compute_line reads both alike (by attribute).
_attendance = AttendanceRecord.__table__
_outputs = OutputRecord.__table__

# A month's days counted by status: a monthly line is recomputed with each day of its month, and reading the month's
# records one by one cost more with every day that passed. first/last tell whether the assignment covers them all.
_MONTH_COUNTS = select(
    _attendance.c.worker_id, _attendance.c.site_id, _attendance.c.status, func.count().label("days"),
    func.min(_attendance.c.work_date).label("first"), func.max(_attendance.c.work_date).label("last"),
).group_by(_attendance.c.worker_id, _attendance.c.site_id, _attendance.c.status)


@dataclass
class LoadedFacts:
    """The stored records behind many keys, loaded a query per kind (not per key) for one recompute.
    Complete for the keys it was loaded for: a key without an entry has no record."""

    attendance: dict[tuple[str, str, date], Row] = field(default_factory=dict)  # hourly, daily
    outputs: dict[tuple[str, str, date], list[Row]] = field(
        default_factory=lambda: defaultdict(list))  # piece: not voided, by event id
    months: dict[tuple[str, str, date], list[Row]] = field(
        default_factory=lambda: defaultdict(list))  # monthly, by the 1st of the month: its days counted by status


def load_facts(session: Session, keys: Iterable[tuple[AssignmentTerms, date]],
               current: Mapping[tuple[str, str, date], dict] | None = None) -> LoadedFacts:
    """What compute_line reads for each (assignment, day), in a few queries. `current`: attendance rows
    (column name -> value) known to be as stored now, such as the batch's own, which are not read again."""
    days, pieces, months = set(), set(), set()
    for assignment, day in keys:
        kind = assignment.kind
        key = (assignment.worker_id, assignment.site_id, day)
        (months if kind == "monthly" else pieces if kind == "piece" else days).add(key)
    facts = LoadedFacts()
    current = current or {}
    for key in days & current.keys():
        facts.attendance[key] = SimpleNamespace(**current[key])  # read by attribute, like a stored row
    for record in attendance_records(session, days - current.keys()):
        facts.attendance[(record.worker_id, record.site_id, record.work_date)] = record
    for chunk in key_slices(session, sorted(pieces)):
        wanted = set(chunk)
        for record in session.execute(select(_outputs).where(
                among(session, _outputs.c.worker_id, {k[0] for k in chunk}),
                among(session, _outputs.c.work_date, {k[2] for k in chunk}),
                _outputs.c.voided_by.is_(None)).order_by(_outputs.c.event_id)):
            key = (record.worker_id, record.site_id, record.work_date)
            if key in wanted:
                facts.outputs[key].append(record)
    for chunk in key_slices(session, sorted(months)):
        wanted = set(chunk)
        for month_start in sorted({k[2] for k in chunk}):  # a batch's keys share a month or two
            for counted in session.execute(_MONTH_COUNTS.where(
                    among(session, _attendance.c.worker_id, {k[0] for k in chunk if k[2] == month_start}),
                    _attendance.c.work_date.between(month_start, _month_end(month_start)))):
                key = (counted.worker_id, counted.site_id, month_start)
                if key in wanted:
                    facts.months[key].append(counted)
    return facts


def attendance_records(session: Session, keys: set[tuple[str, str, date]]) -> Iterator[Row]:
    """The stored attendance records of these (worker, site, date) keys. Each query is worker among (...)
    AND date among (...), a superset, of which the exact keys are kept: far cheaper than a row-value IN list."""
    for chunk in key_slices(session, sorted(keys)):
        wanted = set(chunk)
        for record in session.execute(select(_attendance).where(
                among(session, _attendance.c.worker_id, {k[0] for k in chunk}),
                among(session, _attendance.c.work_date, {k[2] for k in chunk}))):
            if (record.worker_id, record.site_id, record.work_date) in wanted:
                yield record


def compute_line(session: Session, assignment: AssignmentTerms, day: date,
                 loaded: LoadedFacts | None = None) -> tuple[int, dict] | None:
    """(amount in fen, the facts it came from) for one key, or None when no fact is left. With `loaded`
    (by load_facts, for this key) nothing is queried."""
    scheme = assignment.wage_scheme
    if isinstance(scheme, payroll.MonthlyScheme):
        return _monthly(session, assignment, scheme, day, loaded)
    if isinstance(scheme, payroll.PieceScheme):
        return _piece(session, assignment, scheme, day, loaded)
    key = (assignment.worker_id, assignment.site_id, day)
    record = loaded.attendance.get(key) if loaded is not None else session.get(AttendanceRecord, key)
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


def _piece(session: Session, assignment: AssignmentTerms, scheme: payroll.PieceScheme, day: date,
           loaded: LoadedFacts | None = None):
    if loaded is not None:
        outputs = loaded.outputs.get((assignment.worker_id, assignment.site_id, day), [])
    else:
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


def _monthly(session: Session, assignment: AssignmentTerms, scheme: payroll.MonthlyScheme, month_start: date,
             loaded: LoadedFacts | None = None):
    statuses = _month_statuses(session, assignment, month_start, loaded)
    if not statuses:
        return None
    credits = payroll.day_credits(statuses)
    facts = {
        "days_recorded": len(statuses),
        "credits": str(Decimal(credits.numerator) / credits.denominator),
        "required_days": scheme.required_days,
    }
    return payroll.monthly_pay(scheme, statuses), facts


def _month_statuses(session: Session, assignment: AssignmentTerms, month_start: date,
                    loaded: LoadedFacts | None) -> list[str]:
    """The status of each recorded day of the month that `assignment` covers."""
    if loaded is not None:
        counted = loaded.months.get((assignment.worker_id, assignment.site_id, month_start), [])
        if all(assignment.covers(c.first) and assignment.covers(c.last) for c in counted):
            return [c.status for c in counted for _ in range(c.days)]
        # Some of the month's days at this site fall outside the assignment (it starts or ends within the month,
        # another assignment has the rest): only the days themselves tell which.
    stored = session.execute(select(_attendance.c.work_date, _attendance.c.status).where(
        _attendance.c.worker_id == assignment.worker_id, _attendance.c.site_id == assignment.site_id,
        _attendance.c.work_date.between(month_start, _month_end(month_start))))
    return [record.status for record in stored if assignment.covers(record.work_date)]


def _month_end(month_start: date) -> date:
    return month_start.replace(day=calendar.monthrange(month_start.year, month_start.month)[1])


def _time(hhmm: str) -> time:
    return time.fromisoformat(hhmm)
