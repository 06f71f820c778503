"""A labourer's employment status: each change kept in the history, and the latest in the current view.

Work is derived from the labourer's assignments (labour.status.work_runs): each run of days at work is a change
of the history that names the assignment beginning it (`assignment_id`; changes told by a cadre name none),
made again from the assignments in the transaction that writes them (a hire, a change of an assignment, a new
one, a profile made), so the history, the current view and the counts always follow the assignments."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.db.models import (
    Assignment,
    Household,
    LabourProfile,
    LabourStatus,
    LabourStatusChange,
    Referral,
    Region,
    Site,
    Worker,
)
from app.db.queries import chunks
from app.jobs.match_rows import keep_labourers
from app.ledger.checks import Problem
from app.ledger.labour_counts import history, keep_labourer_counts, willing
from events import WorkEvent
from events.envelope import format_time
from labour.status import Spell, status_after_hire, work_runs

# names a run's change by its labourer and first day, so that the same assignments make the same history
_RUNS = uuid.UUID("5b0e7a52-61f4-4c1e-9d53-3f7f6c2d8a10")


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
    _lock(session, event.worker_id)
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


def derive_work(session: Session, worker_ids: Iterable[str]) -> None:
    """Make the labourers' runs of work again from their assignments (none for a worker who is no labourer: with
    neither a labour profile nor a referral), the current view and the counts with them; nothing is written when
    the runs are those kept; and matching's rows of them, which read their work."""
    worker_ids = sorted(set(worker_ids))
    for worker_id in worker_ids:
        _lock(session, worker_id)
        wanted = _runs(session, worker_id)
        kept = session.scalars(select(LabourStatusChange).where(LabourStatusChange.worker_id == worker_id,
                                                                 LabourStatusChange.assignment_id.is_not(None)))
        if {_row_facts(change) for change in kept} == {_row_facts(change) for change in wanted}:
            continue
        before = history(session, worker_id)
        session.execute(delete(LabourStatusChange).where(LabourStatusChange.worker_id == worker_id,
                                                         LabourStatusChange.assignment_id.is_not(None)))
        session.add_all(wanted)
        session.flush()
        _refresh_current(session, worker_id)
        keen = willing(session, worker_id)
        keep_labourer_counts(session, worker_id, before, history(session, worker_id), keen, keen)
    keep_labourers(session, worker_ids)


def derive_all_work(session: Session) -> None:
    """Every labourer's runs of work from their assignments, as a rebuild starts with."""
    derive_work(session, session.scalars(select(Assignment.worker_id).distinct().where(
        _is_labourer(Assignment.worker_id))))


def labourers_among(session: Session, worker_ids: Iterable[str]) -> list[str]:
    """Those of the workers who are labourers: with a labour profile or a referral."""
    return [worker_id for chunk in chunks(sorted(set(worker_ids)), 1000) for worker_id in session.scalars(
        select(Worker.id).where(Worker.id.in_(chunk), _is_labourer(Worker.id)))]


def _is_labourer(worker_id):
    return worker_id.in_(select(LabourProfile.worker_id).union(select(Referral.worker_id)))


def home_county_path(session: Session, worker_id: str) -> str | None:
    """The path of the county the labourer's household lies in (None above county level)."""
    home = session.execute(select(Region.path).join(Household, Household.region_code == Region.code).join(
        Worker, Worker.household_id == Household.id).where(Worker.id == worker_id)).scalar_one()
    codes = home.strip("/").split("/")
    return session.scalar(select(Region.path).where(Region.code.in_(codes), Region.level == "county"))


def _runs(session: Session, worker_id: str) -> list[LabourStatusChange]:
    if session.get(LabourProfile, worker_id) is None and session.scalar(
            select(Referral.id).where(Referral.worker_id == worker_id).limit(1)) is None:
        return []
    county = home_county_path(session, worker_id)
    rows = session.execute(select(Assignment.id, Assignment.start_date, Assignment.end_date, Assignment.created_at,
                                  Region.code, Region.name, Region.path)
                           .join(Site, Site.id == Assignment.site_id).join(Region, Region.code == Site.region_code)
                           .where(Assignment.worker_id == worker_id)).all()
    by_id = {row.id: row for row in rows}
    spells = [Spell(row.start_date, row.end_date, status_after_hire(county, row.path) == "working_local", row.id)
              for row in rows]
    return [LabourStatusChange(
        event_id=str(uuid.uuid5(_RUNS, f"{worker_id}/{run.start.isoformat()}")), worker_id=worker_id,
        status=run.status, effective_date=run.start, until=run.until, region_code=by_id[run.assignment_id].code,
        place=by_id[run.assignment_id].name, assignment_id=run.assignment_id,
        recorded_at=format_time(by_id[run.assignment_id].created_at)) for run in work_runs(spells)]


def _row_facts(change: LabourStatusChange) -> tuple:
    return (change.event_id, change.status, change.effective_date, change.until, change.region_code, change.place,
            change.assignment_id, change.recorded_at)


def _lock(session: Session, worker_id: str) -> None:
    """Hold the worker's row: the API and the consumers each read a labourer's history to move the counts, so
    one labourer's changes are made one after another."""
    session.scalars(select(Worker.id).where(Worker.id == worker_id).with_for_update()).one_or_none()


def _refresh_current(session: Session, worker_id: str) -> None:
    history = LabourStatusChange
    latest = session.scalars(select(history).where(history.worker_id == worker_id).order_by(
        history.effective_date.desc(), history.recorded_at.desc(), history.event_id.desc()).limit(1)).one_or_none()
    if latest is None:
        session.execute(delete(LabourStatus).where(LabourStatus.worker_id == worker_id))
        return
    session.merge(LabourStatus(
        worker_id=worker_id, status=latest.status, effective_date=latest.effective_date, until=latest.until,
        region_code=latest.region_code, place=latest.place, assignment_id=latest.assignment_id,
        event_id=latest.event_id, recorded_at=latest.recorded_at))
