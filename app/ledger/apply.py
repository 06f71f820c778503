"""Apply one valid work event to the batch's work records; return the wage keys it touches.

Handlers are plain functions keyed by event type. Each is idempotent on its own and
independent of arrival order, so the records depend only on the set of events. They change
plain rows held by `BatchRecords` (app/ledger/records.py), which writes what changed in a few
multi-row statements when the batch ends: no ORM object per event, no statement per event.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, time

from app.ledger.checks import WorkContext
from app.ledger.records import BatchRecords, WageKey
from app.ledger.terms import AssignmentTerms
from events import ATTENDANCE_RECORDED, OUTPUT_RECORDED, OUTPUT_VOIDED, WorkEvent


def wage_key(assignment: AssignmentTerms, day: date) -> WageKey:
    if assignment.kind == "monthly":
        return (assignment.id, day.replace(day=1))
    return (assignment.id, day)


def handle_attendance_recorded(event: WorkEvent, context: WorkContext, records: BatchRecords) -> list[WageKey]:
    data = event.data
    key = (event.worker_id, event.site_id, data["date"])
    recorded_at = event.time_text
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
    return moment.isoformat("minutes") if moment is not None else None  # "08:00", cheaper than strftime
