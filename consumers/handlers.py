"""Apply one valid work event to the work records; return the wage keys it touches.

Handlers are plain functions keyed by event type. Each is idempotent on its own and
independent of arrival order, so the records depend only on the set of events.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from app.db.models import Assignment, AttendanceRecord, OutputRecord
from app.worklog import WorkContext
from events import ATTENDANCE_RECORDED, OUTPUT_RECORDED, OUTPUT_VOIDED, WorkEvent
from events.envelope import format_time

WageKey = tuple[str, date]  # (assignment id, work date); monthly schemes key on the 1st of the month


def wage_key(assignment: Assignment, day: date) -> WageKey:
    if assignment.scheme["kind"] == "monthly":
        return (assignment.id, day.replace(day=1))
    return (assignment.id, day)


def handle_attendance_recorded(session: Session, event: WorkEvent, context: WorkContext) -> list[WageKey]:
    data = event.data
    key = (event.worker_id, event.site_id, data["date"])
    recorded_at = format_time(event.time)
    current = session.get(AttendanceRecord, key)
    if current is not None and (current.recorded_at, current.event_id) >= (recorded_at, event.id):
        return []  # an earlier correction arriving late loses to the later one
    if current is None:
        current = AttendanceRecord(worker_id=key[0], site_id=key[1], work_date=key[2])
        session.add(current)
    current.event_id = event.id
    current.recorded_at = recorded_at
    current.status = data["status"]
    current.minutes = data["minutes"]
    current.check_in = _hhmm(data["check_in"])
    current.check_out = _hhmm(data["check_out"])
    return [wage_key(context.assignment_for(*key), key[2])]


def handle_output_recorded(session: Session, event: WorkEvent, context: WorkContext) -> list[WageKey]:
    data = event.data
    session.add(
        OutputRecord(
            event_id=event.id, worker_id=event.worker_id, site_id=event.site_id, work_date=data["date"],
            product=data["product"], grade=data["grade"], quantity=data["quantity"],
        )
    )
    return [wage_key(context.assignment_for(event.worker_id, event.site_id, data["date"]), data["date"])]


def handle_output_voided(session: Session, event: WorkEvent, context: WorkContext) -> list[WageKey]:
    target = session.get(OutputRecord, event.data["output_id"])
    if target.voided_by is not None:
        return []
    target.voided_by = event.id
    return [wage_key(context.assignment_for(target.worker_id, target.site_id, target.work_date), target.work_date)]


HANDLERS: dict[str, Callable[[Session, WorkEvent, WorkContext], list[WageKey]]] = {
    ATTENDANCE_RECORDED: handle_attendance_recorded,
    OUTPUT_RECORDED: handle_output_recorded,
    OUTPUT_VOIDED: handle_output_voided,
}


def _hhmm(moment) -> str | None:
    return moment.strftime("%H:%M") if moment is not None else None
