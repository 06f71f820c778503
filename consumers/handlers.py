"""Apply one valid work event to the work records; return the wage keys it touches.

Handlers are plain functions keyed by event type. Each is idempotent on its own and
independent of arrival order, so the records depend only on the set of events.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Assignment, AttendanceRecord, OutputRecord
from app.worklog import WorkContext
from events import ATTENDANCE_RECORDED, OUTPUT_RECORDED, OUTPUT_VOIDED, WorkEvent
from events.envelope import format_time

WageKey = tuple[str, date]  # (assignment id, work date); monthly schemes key on the 1st of the month
AttendanceKey = tuple[str, str, date]  # (worker id, site id, work date)
CHUNK = 500  # keys per IN (...) list


@dataclass
class BatchRecords:
    """The stored records a batch's events may update, loaded once per batch (a query per kind, not one per
    event) and held until it ends: a handler finds them, and those made earlier in the batch, without a
    query, so the session is not flushed once per event either."""

    attendance: dict[AttendanceKey, AttendanceRecord] = field(default_factory=dict)  # every key of the batch
    outputs: dict[str, OutputRecord] = field(default_factory=dict)  # void targets, and outputs of the batch

    @classmethod
    def load(cls, session: Session, events: Iterable[WorkEvent]) -> "BatchRecords":
        keys, output_ids = set(), set()
        for event in events:
            if event.type == ATTENDANCE_RECORDED:
                keys.add((event.worker_id, event.site_id, event.data["date"]))
            elif event.type == OUTPUT_VOIDED:
                output_ids.add(event.data["output_id"])
        records = cls()
        for chunk in _chunks(sorted(keys)):
            # worker IN (...) AND date IN (...), then the exact keys: far cheaper than a row-value IN list
            wanted = set(chunk)
            for record in session.scalars(select(AttendanceRecord).where(
                    AttendanceRecord.worker_id.in_({k[0] for k in chunk}),
                    AttendanceRecord.work_date.in_({k[2] for k in chunk}))):
                key = (record.worker_id, record.site_id, record.work_date)
                if key in wanted:
                    records.attendance[key] = record
        for chunk in _chunks(sorted(output_ids)):
            for record in session.scalars(select(OutputRecord).where(OutputRecord.event_id.in_(chunk))):
                records.outputs[record.event_id] = record
        return records


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    return (items[start:start + size] for start in range(0, len(items), size))


def wage_key(assignment: Assignment, day: date) -> WageKey:
    if assignment.scheme["kind"] == "monthly":
        return (assignment.id, day.replace(day=1))
    return (assignment.id, day)


def handle_attendance_recorded(session: Session, event: WorkEvent, context: WorkContext,
                               records: BatchRecords) -> list[WageKey]:
    data = event.data
    key = (event.worker_id, event.site_id, data["date"])
    recorded_at = format_time(event.time)
    current = records.attendance.get(key)  # loaded for every key of the batch: None means there is none yet
    if current is not None and (current.recorded_at, current.event_id) >= (recorded_at, event.id):
        return []  # an earlier correction arriving late loses to the later one
    if current is None:
        current = AttendanceRecord(worker_id=key[0], site_id=key[1], work_date=key[2])
        session.add(current)
        records.attendance[key] = current
    current.event_id = event.id
    current.recorded_at = recorded_at
    current.status = data["status"]
    current.minutes = data["minutes"]
    current.check_in = _hhmm(data["check_in"])
    current.check_out = _hhmm(data["check_out"])
    return [wage_key(context.assignment_for(*key), key[2])]


def handle_output_recorded(session: Session, event: WorkEvent, context: WorkContext,
                           records: BatchRecords) -> list[WageKey]:
    data = event.data
    record = OutputRecord(
        event_id=event.id, worker_id=event.worker_id, site_id=event.site_id, work_date=data["date"],
        product=data["product"], grade=data["grade"], quantity=data["quantity"],
    )
    session.add(record)
    records.outputs[event.id] = record  # a void later in the same batch finds it
    return [wage_key(context.assignment_for(event.worker_id, event.site_id, data["date"]), data["date"])]


def handle_output_voided(session: Session, event: WorkEvent, context: WorkContext,
                         records: BatchRecords) -> list[WageKey]:
    target = records.outputs.get(event.data["output_id"]) or session.get(OutputRecord, event.data["output_id"])
    if target.voided_by is not None:
        return []
    target.voided_by = event.id
    return [wage_key(context.assignment_for(target.worker_id, target.site_id, target.work_date), target.work_date)]


HANDLERS: dict[str, Callable[[Session, WorkEvent, WorkContext, BatchRecords], list[WageKey]]] = {
    ATTENDANCE_RECORDED: handle_attendance_recorded,
    OUTPUT_RECORDED: handle_output_recorded,
    OUTPUT_VOIDED: handle_output_voided,
}


def _hhmm(moment) -> str | None:
    return moment.strftime("%H:%M") if moment is not None else None
