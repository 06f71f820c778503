"""A labourer's employment status: each change kept in the history, and the latest in the current view."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import LabourStatus, LabourStatusChange, Region, Worker
from app.jobs.match_rows import keep_labourers
from app.ledger.checks import Problem
from app.ledger.labour_counts import history, keep_labourer_counts, willing
from events import WorkEvent
from events.envelope import format_time


def status_change_problem(session: Session, event: WorkEvent) -> Problem | None:
    """Why a `labour.status_changed` can never be applied, or None."""
    if session.get(Worker, event.worker_id) is None:
        return Problem("data.worker_id", f"unknown worker {event.worker_id}")
    region_code = event.data["region_code"]
    if region_code is not None and session.get(Region, region_code) is None:
        return Problem("data.region_code", f"unknown region {region_code}")
    return None


def apply_status_changed(session: Session, event: WorkEvent) -> None:
    data = event.data
    record_status(session, event, data["status"], data["date"], region_code=data["region_code"],
                  place=data["place"], note=data["note"])


def record_status(session: Session, event: WorkEvent, status: str, effective: date, *, until: date | None = None,
                  region_code: str | None = None, place: str | None = None, note: str | None = None,
                  assignment_id: str | None = None) -> None:
    """Keep the change made by `event` (once: a redelivered event finds it kept) and bring the current view to
    the worker's latest change, whatever order the changes came in, and the counts by status with it."""
    if session.get(LabourStatusChange, event.id) is not None:
        return
    before = history(session, event.worker_id)
    session.add(LabourStatusChange(
        event_id=event.id, worker_id=event.worker_id, status=status, effective_date=effective, until=until,
        region_code=region_code, place=place, note=note, assignment_id=assignment_id,
        recorded_at=format_time(event.time)))
    session.flush()
    _refresh_current(session, event.worker_id)
    keep_labourers(session, [event.worker_id])
    keen = willing(session, event.worker_id)
    keep_labourer_counts(session, event.worker_id, before, history(session, event.worker_id), keen, keen)


def _refresh_current(session: Session, worker_id: str) -> None:
    history = LabourStatusChange
    latest = session.scalars(select(history).where(history.worker_id == worker_id).order_by(
        history.effective_date.desc(), history.recorded_at.desc(), history.event_id.desc()).limit(1)).one()
    session.merge(LabourStatus(
        worker_id=worker_id, status=latest.status, effective_date=latest.effective_date, until=latest.until,
        region_code=latest.region_code, place=latest.place, assignment_id=latest.assignment_id,
        event_id=latest.event_id, recorded_at=latest.recorded_at))
