"""Can this work event be applied? One answer for the API (refuse at the door) and the
consumers (park in the dead-letter store), from the same facts loaded once per batch: the
workers, and the terms of the assignments their work falls under."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

import payroll
from app.db.models import Assignment, Worker
from app.db.queries import among
from app.ledger.terms import AssignmentTerms, assignment_terms
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


_a = Assignment.__table__
_w = Worker.__table__


class WorkContext:
    """Workers and assignments of a batch of events, loaded in one query (two when a worker has no assignment)."""

    def __init__(self, session: Session, events: list[WorkEvent], outputs: dict[str, OutputRef]):
        worker_ids = {event.worker_id for event in events}
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
