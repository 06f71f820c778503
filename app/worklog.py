"""Can this work event be applied? One answer for the API (refuse at the door) and the
consumers (park in the dead-letter store), from the same facts loaded once per batch."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

import payroll
from app.db.models import Assignment, Worker
from app.db.queries import among
from events import ATTENDANCE_RECORDED, OUTPUT_RECORDED, OUTPUT_VOIDED, WorkEvent


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


class WorkContext:
    """Workers and assignments of a batch of events, loaded in two queries."""

    def __init__(self, session: Session, events: list[WorkEvent], outputs: dict[str, OutputRef]):
        worker_ids = {event.worker_id for event in events}
        self.workers = set(session.scalars(select(Worker.id).where(among(session, Worker.id, worker_ids))))
        self.assignments: dict[str, Assignment] = {}  # by id
        self._assignments: dict[tuple[str, str], list[Assignment]] = defaultdict(list)
        assignments = select(Assignment).where(among(session, Assignment.worker_id, worker_ids))
        for assignment in session.scalars(assignments):
            self.assignments[assignment.id] = assignment
            self._assignments[(assignment.worker_id, assignment.site_id)].append(assignment)
        self.outputs = outputs

    def assignment_for(self, worker_id: str, site_id: str, day: date) -> Assignment | None:
        return next((a for a in self._assignments[(worker_id, site_id)] if a.covers(day)), None)

    def problem(self, event: WorkEvent) -> Problem | None:
        """The reason `event` can never be applied, or None if it can."""
        if event.worker_id not in self.workers:
            return Problem("data.worker_id", f"unknown worker {event.worker_id}")
        if event.type == OUTPUT_VOIDED:
            return self._void_problem(event)
        day = event.data["date"]
        assignment = self.assignment_for(event.worker_id, event.site_id, day)
        if assignment is None:
            return self._no_assignment(event, day)
        scheme = assignment.wage_scheme
        if event.type == ATTENDANCE_RECORDED:
            return _attendance_problem(event, scheme)
        if event.type == OUTPUT_RECORDED:
            return _output_problem(event, scheme)
        return None

    def _no_assignment(self, event: WorkEvent, day: date) -> Problem:
        starts = sorted(a.start_date for a in self._assignments[(event.worker_id, event.site_id)])
        if starts and day < starts[0]:
            return Problem("data.date", f"{day} is before the assignment starts on {starts[0]}")
        return Problem(
            "data.site_id", f"worker {event.worker_id} has no assignment at site {event.site_id} on {day}"
        )

    def _void_problem(self, event: WorkEvent) -> Problem | None:
        target = self.outputs.get(event.data["output_id"])
        if target is None:
            return Problem("data.output_id", f"unknown output event {event.data['output_id']}")
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
