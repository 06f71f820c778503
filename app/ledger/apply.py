"""Apply one valid work event to the batch's work records; return the wage keys it touches.

Handlers are plain functions keyed by event type. Each is idempotent on its own and
independent of arrival order, so the records depend only on the set of events. They change
plain rows held by `BatchRecords`, which writes what changed in a few multi-row statements
when the batch ends: no ORM object per event, no statement per event.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AttendanceRecord, OutputRecord, ProcessedEvent
from app.db.queries import among, key_slices
from app.db.rows import Row, insert_rows, update_rows
from app.ledger.checks import AssignmentTerms, WorkContext
from app.ledger.facts import attendance_records
from app.ledger.pending_voids import PendingVoids
from events import ATTENDANCE_RECORDED, OUTPUT_RECORDED, OUTPUT_VOIDED, WorkEvent
from events.envelope import format_time

WageKey = tuple[str, date]  # (assignment id, work date); monthly schemes key on the 1st of the month
AttendanceKey = tuple[str, str, date]  # (worker id, site id, work date)

_attendance = AttendanceRecord.__table__
_outputs = OutputRecord.__table__


@dataclass
class BatchRecords:
    """The stored records a batch's events may update, loaded once per batch (a query per kind, not one per
    event), and what the batch changes in them, written at its end by `save`."""

    attendance: dict[AttendanceKey, Row] = field(default_factory=dict)  # every stored key of the batch's events
    outputs: dict[str, Row] = field(default_factory=dict)  # void targets, and outputs of the batch
    stored_attendance: set[AttendanceKey] = field(default_factory=set)
    changed_attendance: set[AttendanceKey] = field(default_factory=set)
    stored_outputs: set[str] = field(default_factory=set)
    changed_outputs: set[str] = field(default_factory=set)
    processed: list[Row] = field(default_factory=list)
    pending_voids: PendingVoids = field(default_factory=PendingVoids)

    @classmethod
    def load(cls, session: Session, events: Iterable[WorkEvent]) -> "BatchRecords":
        keys, output_ids, recorded = set(), set(), set()
        for event in events:
            if event.type == ATTENDANCE_RECORDED:
                keys.add((event.worker_id, event.site_id, event.data["date"]))
            elif event.type == OUTPUT_VOIDED:
                output_ids.add(event.data["output_id"])
            elif event.type == OUTPUT_RECORDED:
                recorded.add(event.id)
        records = cls()
        for row in attendance_records(session, keys):
            records.attendance[(row.worker_id, row.site_id, row.work_date)] = dict(row._mapping)
        records.stored_attendance = set(records.attendance)
        for chunk in key_slices(session, sorted(output_ids)):
            for row in session.execute(select(_outputs).where(among(session, _outputs.c.event_id, chunk))).mappings():
                records.outputs[row["event_id"]] = dict(row)
        records.stored_outputs = set(records.outputs)
        records.pending_voids = PendingVoids.load(session, recorded)
        return records

    def processed_event(self, event_id: str, content_hash: str) -> None:
        self.processed.append({"event_id": event_id, "content_hash": content_hash})

    def save(self, session: Session) -> None:
        """Write what the batch changed: inserts and updates by primary key, each one multi-row statement."""
        insert_rows(session, _attendance, [self.attendance[key]
                                           for key in sorted(self.changed_attendance - self.stored_attendance)])
        update_rows(session, _attendance, [self.attendance[key]
                                           for key in sorted(self.changed_attendance & self.stored_attendance)])
        insert_rows(session, _outputs, [self.outputs[key]
                                        for key in sorted(self.changed_outputs - self.stored_outputs)])
        update_rows(session, _outputs, [{"event_id": key, "voided_by": self.outputs[key]["voided_by"]}
                                        for key in sorted(self.changed_outputs & self.stored_outputs)])
        insert_rows(session, ProcessedEvent.__table__, self.processed)
        self.pending_voids.save(session)


def wage_key(assignment: AssignmentTerms, day: date) -> WageKey:
    if assignment.kind == "monthly":
        return (assignment.id, day.replace(day=1))
    return (assignment.id, day)


def handle_attendance_recorded(event: WorkEvent, context: WorkContext, records: BatchRecords) -> list[WageKey]:
    data = event.data
    key = (event.worker_id, event.site_id, data["date"])
    recorded_at = format_time(event.time)
    current = records.attendance.get(key)  # loaded for every key of the batch: None means there is none yet
    if current is not None and (current["recorded_at"], current["event_id"]) >= (recorded_at, event.id):
        return []  # an earlier correction arriving late loses to the later one
    records.attendance[key] = {
        "worker_id": key[0], "site_id": key[1], "work_date": key[2], "event_id": event.id,
        "recorded_at": recorded_at, "status": data["status"], "minutes": data["minutes"],
        "check_in": _hhmm(data["check_in"]), "check_out": _hhmm(data["check_out"]),
    }
    records.changed_attendance.add(key)
    return [wage_key(context.assignment_for(*key), key[2])]


def handle_output_recorded(event: WorkEvent, context: WorkContext, records: BatchRecords) -> list[WageKey]:
    data = event.data
    output = records.outputs[event.id] = {  # a void later in the same batch finds it
        "event_id": event.id, "worker_id": event.worker_id, "site_id": event.site_id, "work_date": data["date"],
        "product": data["product"], "grade": data["grade"], "quantity": data["quantity"], "voided_by": None,
    }
    records.changed_outputs.add(event.id)
    output["voided_by"] = records.pending_voids.settle(output)  # a void that came first cancels it at once
    if output["voided_by"] is not None:
        return []  # never paid, so no line changes
    return [wage_key(context.assignment_for(event.worker_id, event.site_id, data["date"]), data["date"])]


def handle_output_voided(event: WorkEvent, context: WorkContext, records: BatchRecords) -> list[WageKey]:
    target = records.outputs.get(event.data["output_id"])
    if target is None:
        records.pending_voids.wait(event)  # the context refuses it if its output is known and another's
        return []
    if target["voided_by"] is not None:
        return []
    target["voided_by"] = event.id
    records.changed_outputs.add(target["event_id"])
    return [wage_key(context.assignment_for(target["worker_id"], target["site_id"], target["work_date"]),
                     target["work_date"])]


HANDLERS: dict[str, Callable[[WorkEvent, WorkContext, BatchRecords], list[WageKey]]] = {
    ATTENDANCE_RECORDED: handle_attendance_recorded,
    OUTPUT_RECORDED: handle_output_recorded,
    OUTPUT_VOIDED: handle_output_voided,
}


def _hhmm(moment: time | None) -> str | None:
    return moment.isoformat("minutes") if moment is not None else None  # "08:00", a third of strftime's cost
