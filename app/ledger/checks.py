"""Can this work event be applied? One answer for the API (refuse at the door) and the
consumers (park in the dead-letter store), from the same facts loaded once per batch: the
workers, the terms of the assignments their work falls under, and the hours already recorded
for them on the days of the batch's attendance (docs/domain.md: What is refused, and why)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

import payroll
from app.db.models import Assignment, AttendanceRecord, Worker
from app.db.queries import among
from app.ledger.terms import AssignmentTerms, assignment_terms
from app.settings import Settings
from events import ATTENDANCE_RECORDED, OUTPUT_RECORDED, OUTPUT_VOIDED, WorkEvent

CHINA = ZoneInfo("Asia/Shanghai")  # the sites' calendar
GRACE = timedelta(days=1)  # a device whose clock or calendar is a day ahead is not refused


def work_today(settings: Settings) -> date:
    """The day work is judged against: STABLEWORK_TODAY when set, else the calendar date in China."""
    return settings.fixed_today or datetime.now(CHINA).date()


@dataclass(frozen=True)
class Problem:
    """Why an event can never be applied as it is; `field` is its path in the event."""

    field: str
    message: str

    def as_errors(self) -> dict:
        *parents, leaf = self.field.split(".")
        errors: dict = {leaf: [self.message]}
        for parent in reversed(parents):
            errors = {parent: errors}
        return errors


@dataclass(frozen=True)
class OutputRef:
    worker_id: str
    site_id: str


_a = Assignment.__table__
_w = Worker.__table__
_r = AttendanceRecord.__table__
DayKey = tuple[str, date]  # worker, work date


class WorkContext:
    """Workers and assignments of a batch of events, loaded in one query (two when a worker has no assignment)."""

    def __init__(self, session: Session, events: list[WorkEvent], outputs: dict[str, OutputRef], today: date):
        worker_ids = {event.worker_id for event in events}
        self.today = today
        self.assignments: dict[str, AssignmentTerms] = {}  # by id
        self._assignments: dict[tuple[str, str], list[AssignmentTerms]] = defaultdict(list)
        for assignment in assignment_terms(session, among(session, _a.c.worker_id, worker_ids)):
            self.assignments[assignment.id] = assignment
            self._assignments[(assignment.worker_id, assignment.site_id)].append(assignment)
        # A worker with an assignment exists (a foreign key); only the others are looked up, usually none.
        self.workers = {assignment.worker_id for assignment in self.assignments.values()}
        if unassigned := worker_ids - self.workers:
            self.workers |= set(session.execute(select(_w.c.id).where(among(session, _w.c.id, unassigned))).scalars())
        self.outputs = outputs
        # Each worker's recorded minutes on the days of the batch's attendance, by site: (order key, minutes).
        self.days: dict[DayKey, dict[str, tuple[str, int]]] = _recorded_days(session, events)

    def assignment_for(self, worker_id: str, site_id: str, day: date) -> AssignmentTerms | None:
        for assignment in self._assignments.get((worker_id, site_id), ()):  # twice an event: a loop, no generator
            if assignment.covers(day):
                return assignment
        return None

    def problem(self, event: WorkEvent) -> Problem | None:
        """The reason `event` can never be applied, or None if it can."""
        if event.worker_id not in self.workers:
            return Problem("data.worker_id", f"unknown worker {event.worker_id}")
        if event.type == OUTPUT_VOIDED:
            return self._void_problem(event)
        day = event.data["date"]
        if day > self.today + GRACE:
            return Problem("data.date", f"{day} is after today ({self.today} in China, a day's grace allowed): "
                                        "work is recorded once it is done")
        assignment = self.assignment_for(event.worker_id, event.site_id, day)
        if assignment is None:
            return self._no_assignment(event, day)
        scheme = assignment.wage_scheme
        if event.type == ATTENDANCE_RECORDED:
            return _attendance_problem(event, scheme) or self._day_problem(event)
        if event.type == OUTPUT_RECORDED:
            return _output_problem(event, scheme)
        return None

    def note_attendance(self, event: WorkEvent) -> None:
        """Count an attendance event taken (at the door) or applied (by a consumer) in the day it belongs to,
        where it is the latest at its site, as the records keep it."""
        sites = self.days.setdefault((event.worker_id, event.data["date"]), {})
        kept = sites.get(event.site_id)
        if kept is None or kept[0] < event.order_key:
            sites[event.site_id] = (event.order_key, _event_minutes(event))

    def _day_problem(self, event: WorkEvent) -> Problem | None:
        day = event.data["date"]
        sites = self.days.get((event.worker_id, day), {})
        kept = sites.get(event.site_id)
        if kept is not None and kept[0] >= event.order_key:
            return None  # a later record at this site wins over it: it changes nothing
        day_minutes = {site: minutes for site, (_, minutes) in sites.items() if site != event.site_id}
        day_minutes[event.site_id] = _event_minutes(event)
        if not payroll.longer_than_a_day(day_minutes.values()):
            return None
        field = "data.minutes" if event.data["minutes"] is not None else "data.check_out"
        worked = ", ".join(f"{site} {_hours(minutes)}" for site, minutes in sorted(day_minutes.items()))
        return Problem(field, f"worker {event.worker_id} would work {_hours(sum(day_minutes.values()))} on {day} "
                              f"across sites ({worked}): more than 24 hours in a day")

    def _no_assignment(self, event: WorkEvent, day: date) -> Problem:
        starts = sorted(a.start_date for a in self._assignments.get((event.worker_id, event.site_id), ()))
        if starts and day < starts[0]:
            return Problem("data.date", f"{day} is before the assignment starts on {starts[0]}")
        return Problem(
            "data.site_id", f"worker {event.worker_id} has no assignment at site {event.site_id} on {day}"
        )

    def _void_problem(self, event: WorkEvent) -> Problem | None:
        target = self.outputs.get(event.data["output_id"])
        if target is None:
            return None  # its output may come later: it waits for it (app.ledger.pending_voids)
        if (target.worker_id, target.site_id) != (event.worker_id, event.site_id):
            return Problem("data.output_id", "the output event belongs to another worker or site")
        return None


def _attendance_problem(event: WorkEvent, scheme: payroll.WageScheme) -> Problem | None:
    data = event.data
    if (
        isinstance(scheme, payroll.HourlyScheme)
        and data["status"] == "present"
        and data["minutes"] is None
        and data["check_in"] is None
    ):
        return Problem("data.minutes", "an hourly scheme needs check_in/check_out or minutes for 'present'")
    return None


def _output_problem(event: WorkEvent, scheme: payroll.WageScheme) -> Problem | None:
    if not isinstance(scheme, payroll.PieceScheme):
        return Problem("data.product", f"this assignment pays by the {scheme.kind} scheme, not by the piece")
    try:
        payroll.check_output(scheme, event.data["product"], event.data["grade"])
    except payroll.UnknownProduct:
        return Problem("data.product", f"unknown product {event.data['product']}")
    except payroll.UnknownGrade:
        return Problem("data.grade", f"unknown grade {event.data['grade']}")
    return None


def _recorded_days(session: Session, events: list[WorkEvent]) -> dict[DayKey, dict[str, tuple[str, int]]]:
    """The stored attendance of the (worker, day)s of `events`' attendance, at every site, in one query a slice."""
    wanted = {(event.worker_id, event.data["date"]) for event in events if event.type == ATTENDANCE_RECORDED}
    days: dict[DayKey, dict[str, tuple[str, int]]] = {}
    if not wanted:
        return days
    rows = session.execute(select(_r.c.worker_id, _r.c.site_id, _r.c.work_date, _r.c.recorded_at, _r.c.event_id,
                                  _r.c.status, _r.c.minutes, _r.c.check_in, _r.c.check_out).where(
        among(session, _r.c.worker_id, {worker for worker, _ in wanted}),
        among(session, _r.c.work_date, {day for _, day in wanted})))
    for row in rows:
        if (row.worker_id, row.work_date) in wanted:
            minutes = payroll.stated_minutes(row.status, row.minutes, _time(row.check_in), _time(row.check_out))
            days.setdefault((row.worker_id, row.work_date), {})[row.site_id] = (
                f"{row.recorded_at}|{row.event_id}", minutes)
    return days


def _event_minutes(event: WorkEvent) -> int:
    data = event.data
    return payroll.stated_minutes(data["status"], data["minutes"], data["check_in"], data["check_out"])


def _time(text: str | None) -> time | None:
    return time.fromisoformat(text) if text is not None else None


def _hours(minutes: int) -> str:
    return f"{minutes // 60}h{minutes % 60:02d}"
