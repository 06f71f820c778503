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
from app.ledger.records import attendance_records
from app.ledger.terms import AssignmentTerms

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
_MONTH_DAYS = select(_attendance.c.worker_id, _attendance.c.site_id, _attendance.c.work_date, _attendance.c.status)

MonthKey = tuple[str, str, date]  # worker, site, the 1st of the month


@dataclass
class LoadedFacts:
    """The stored records behind many keys, loaded a query per kind (not per key) for one recompute.
    Complete for the keys it was loaded for: a key without an entry has no record."""

    attendance: dict[tuple[str, str, date], Row] = field(default_factory=dict)  # hourly, daily
    outputs: dict[tuple[str, str, date], list[Row]] = field(
        default_factory=lambda: defaultdict(list))  # piece: not voided, by event id
    months: dict[MonthKey, list[Row]] = field(default_factory=lambda: defaultdict(list))  # monthly: days by status
    # monthly, where an assignment covers only some of the counted days (it starts or ends within the month, another
    # assignment at the post has the rest): the days themselves, which alone tell which are its
    month_days: dict[MonthKey, list[Row]] = field(default_factory=lambda: defaultdict(list))


def load_facts(session: Session, keys: Iterable[tuple[AssignmentTerms, date]],
               current: Mapping[tuple[str, str, date], dict] | None = None) -> LoadedFacts:
    """What compute_line reads for each (assignment, day), in a few queries. `current`: attendance rows
    (column name -> value) known to be as stored now, such as the batch's own, which are not read again."""
    days, pieces, months = set(), set(), defaultdict(list)
    for assignment, day in keys:
        kind = assignment.kind
        key = (assignment.worker_id, assignment.site_id, day)
        if kind == "monthly":
            months[key].append(assignment)
        else:
            (pieces if kind == "piece" else days).add(key)
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
    for key, counted in _month_rows(session, sorted(months), _MONTH_COUNTS):
        facts.months[key].append(counted)
    partly_covered = sorted(key for key, terms in months.items() if not all(
        a.covers(c.first) and a.covers(c.last) for a in terms for c in facts.months.get(key, ())))
    for key, day in _month_rows(session, partly_covered, _MONTH_DAYS):
        facts.month_days[key].append(day)
    return facts


def _month_rows(session: Session, keys: list[MonthKey], statement) -> Iterator[tuple[MonthKey, Row]]:
    """`statement`'s rows (over attendance records) for these keys, by key: worker among (...) within each month,
    a superset of which the exact keys are kept."""
    for chunk in key_slices(session, keys):
        wanted = set(chunk)
        for month_start in sorted({k[2] for k in chunk}):  # a batch's keys share a month or two
            for row in session.execute(statement.where(
                    among(session, _attendance.c.worker_id, {k[0] for k in chunk if k[2] == month_start}),
                    _attendance.c.work_date.between(month_start, _month_end(month_start)))):
                key = (row.worker_id, row.site_id, month_start)
                if key in wanted:
                    yield key, row


def compute_line(session: Session, assignment: AssignmentTerms, day: date,
                 loaded: LoadedFacts | None = None) -> tuple[int, dict] | None:
    """(amount in fen, the facts it came from) for one key, or None when no fact is left. With `loaded`
    (by load_facts, for this assignment and day) nothing is queried."""
    scheme = assignment.wage_scheme
    if isinstance(scheme, payroll.MonthlyScheme):
        return _monthly(session, assignment, scheme, day, loaded)
    if not assignment.covers(day):
        return None  # a day its terms no longer cover: its end moved, or another assignment pays from a day
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
    key = (assignment.worker_id, assignment.site_id, month_start)
    if loaded is None:
        days = session.execute(_MONTH_DAYS.where(
            _attendance.c.worker_id == key[0], _attendance.c.site_id == key[1],
            _attendance.c.work_date.between(month_start, _month_end(month_start))))
    elif key in loaded.month_days:
        days = loaded.month_days[key]
    else:  # every counted day is the assignment's
        return [counted.status for counted in loaded.months.get(key, []) for _ in range(counted.days)]
    return [day.status for day in days if assignment.covers(day.work_date)]


def _month_end(month_start: date) -> date:
    return month_start.replace(day=calendar.monthrange(month_start.year, month_start.month)[1])


def _time(hhmm: str) -> time:
    return time.fromisoformat(hhmm)
