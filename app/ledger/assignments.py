"""Changes of an assignment's terms (ASSIGNMENT_EVENTS): its end date, its scheme from a day, a transfer to another
site from a day. Why one cannot be applied is the same answer for the API and the consumers; applying it changes
the terms and names the wage keys whose pay may change with them, which the consumer recomputes with the batch's
work, so the consumers stay the only writers of wage lines (and of adjustments, for approved months).

A change of scheme or site from a day splits the assignment (payroll.terms.change_from): the assignment keeps the
days before it, and a new one, named by the event, pays the days from it. So each wage line stays the pay of one
assignment and one scheme, and a redelivered change finds its new assignment made and makes no second."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import payroll
from app.db.models import Assignment, AttendanceRecord, OutputRecord, Site, WageLine
from app.ledger.apply import wage_key
from app.ledger.checks import Problem
from app.ledger.labour import derive_work
from app.ledger.records import WageKey
from app.ledger.terms import assignment_terms
from events import ASSIGNMENT_END_CHANGED, ASSIGNMENT_TRANSFERRED, WorkEvent, encode_event
from events.bus import Bus, OutgoingMessage
from events.envelope import hash_encoded, hash_headers
from payroll.terms import ONE_DAY, Term, change_refusal

# the wage schemes a site of each kind pays by; an employer's site, any
SCHEMES_BY_SITE_KIND = {"post": ("monthly",), "workshop": ("hourly", "daily", "piece"),
                        "employer": ("hourly", "daily", "piece", "monthly")}


@dataclass(frozen=True)
class Clash(Problem):
    """A change that the data allow but the registry as it stands does not (an overlap, an id taken): 409."""


def scheme_refusal(scheme: dict[str, Any], site_kind: str) -> str | None:
    """Why `scheme` cannot pay at a site of `site_kind`, or None."""
    try:
        kind = payroll.scheme_from_dict(scheme).kind
    except (payroll.InvalidScheme, TypeError) as error:
        return str(error)
    allowed = SCHEMES_BY_SITE_KIND.get(site_kind, ())
    return None if kind in allowed else f"a {site_kind} pays by {', '.join(allowed)}, not {kind}"


def assignment_problem(session: Session, event: WorkEvent) -> Problem | None:
    """Why an assignment change can never be applied as things stand, or None (also when it was applied already)."""
    data = event.data
    assignment = session.get(Assignment, data["assignment_id"])
    if assignment is None:
        return Problem("data.assignment_id", f"unknown assignment {data['assignment_id']}")
    if assignment.worker_id != event.worker_id:
        return Problem("data.worker_id", "the assignment is another worker's")
    if event.type == ASSIGNMENT_END_CHANGED:
        return _end_problem(session, assignment, data["end_date"])
    if _made(session, event) is not None:
        return None  # redelivered, or replayed by a rebuild: its new assignment is there
    site = session.get(Site, data.get("to_site_id") or assignment.site_id)
    if site is None:
        return Problem("data.to_site_id", f"unknown site {data['to_site_id']}")
    moving = event.type == ASSIGNMENT_TRANSFERRED
    if moving and site.id == assignment.site_id:
        return Problem("data.to_site_id", "the assignment is at this site already")
    stipend = "monthly" in (_kind(assignment.scheme), _kind(data["scheme"]))  # at one site, a month one scheme
    refusal = change_refusal(_term(assignment), data["from_date"], keeps_first_day=moving,
                             monthly=stipend and not moving)
    if refusal is not None:
        return Problem("data.from_date", refusal)
    if (refusal := scheme_refusal(data["scheme"], site.kind)) is not None:
        return Problem("data.scheme", refusal)
    if data["new_assignment_id"] is not None and session.get(Assignment, data["new_assignment_id"]) is not None:
        return Clash("data.new_assignment_id", f"an assignment {data['new_assignment_id']} exists")
    if moving:
        end = data["end_date"]
        return _overlap(session, event.worker_id, site.id, data["from_date"], end, None, "data.from_date")
    return None


def _end_problem(session: Session, assignment: Assignment, end: date | None) -> Problem | None:
    if end is not None and end < assignment.start_date:
        return Problem("data.end_date", f"is before the assignment's first day {assignment.start_date}")
    return _overlap(session, assignment.worker_id, assignment.site_id, assignment.start_date, end, assignment.id,
                    "data.end_date")


def _overlap(session: Session, worker_id: str, site_id: str, start: date, end: date | None, itself: str | None,
             field: str) -> Problem | None:
    for other in session.scalars(select(Assignment).where(Assignment.worker_id == worker_id,
                                                          Assignment.site_id == site_id, Assignment.id != itself)):
        if (other.end_date is None or other.end_date >= start) and (end is None or other.start_date <= end):
            return Clash(field, f"overlaps assignment {other.id} of this worker at this site")
    return None


def apply_assignment_change(session: Session, event: WorkEvent) -> set[WageKey]:
    """Apply a change that `assignment_problem` found applicable in this transaction; the wage keys to recompute."""
    data = event.data
    assignment = session.get(Assignment, data["assignment_id"])
    keys = _apply_change(session, assignment, event)
    derive_work(session, [assignment.worker_id])  # its days at work follow the assignment's
    return keys


def _apply_change(session: Session, assignment: Assignment, event: WorkEvent) -> set[WageKey]:
    data = event.data
    if event.type == ASSIGNMENT_END_CHANGED:
        old_end, assignment.end_date = assignment.end_date, data["end_date"]
        session.flush()
        if old_end == data["end_date"]:
            return set()
        since = min(end for end in (old_end, data["end_date"]) if end is not None) + ONE_DAY
        return touched_keys(session, assignment.worker_id, assignment.site_id, since)
    since = data["from_date"]
    if _made(session, event) is None:
        _split(session, assignment, event)
    keys = touched_keys(session, assignment.worker_id, assignment.site_id, since)
    if event.type == ASSIGNMENT_TRANSFERRED:
        keys |= touched_keys(session, assignment.worker_id, data["to_site_id"], since)
    return keys


def _split(session: Session, assignment: Assignment, event: WorkEvent) -> None:
    data = event.data
    scheme = payroll.scheme_to_dict(payroll.scheme_from_dict(data["scheme"]))
    if data["new_assignment_id"] is None:  # from its first day: the assignment itself takes the new scheme
        assignment.scheme = scheme
    else:
        end = data["end_date"] if event.type == ASSIGNMENT_TRANSFERRED else assignment.end_date
        session.add(Assignment(id=data["new_assignment_id"], worker_id=assignment.worker_id,
                               site_id=data.get("to_site_id") or assignment.site_id, start_date=data["from_date"],
                               end_date=end, scheme=scheme))
        assignment.end_date = data["from_date"] - ONE_DAY
    session.flush()


def _made(session: Session, event: WorkEvent) -> Assignment | None:
    """The assignment this change made, if it was applied before (the new assignment from its day, for its worker)."""
    data = event.data
    made = session.get(Assignment, data["new_assignment_id"]) if data["new_assignment_id"] is not None else None
    if made is None or (made.worker_id, made.start_date) != (event.worker_id, data["from_date"]):
        return None
    return made


def touched_keys(session: Session, worker_id: str, site_id: str, since: date) -> set[WageKey]:
    """The wage keys of the worker's work at the site from `since` on: the lines there are (a monthly one from the
    first of its month), and the keys of the days recorded, under the assignment that now covers each."""
    lines = session.execute(select(WageLine.assignment_id, WageLine.work_date).where(
        WageLine.worker_id == worker_id, WageLine.site_id == site_id, WageLine.work_date >= since.replace(day=1)))
    keys = {(line.assignment_id, line.work_date) for line in lines}
    terms = assignment_terms(session, Assignment.worker_id == worker_id, Assignment.site_id == site_id)
    for record in (AttendanceRecord, OutputRecord):
        for day in session.scalars(select(record.work_date).distinct().where(
                record.worker_id == worker_id, record.site_id == site_id, record.work_date >= since)):
            covering = next((term for term in terms if term.covers(day)), None)
            if covering is not None:
                keys.add(wage_key(covering, day))
    return keys


def _term(assignment: Assignment) -> Term:
    return Term(assignment.start_date, assignment.end_date, assignment.scheme, assignment.site_id)


def _kind(scheme: dict[str, Any]) -> str:
    return scheme.get("kind", "")



def stage_assignment_change(session: Session, bus: Bus, topic: str, event: WorkEvent) -> Problem | None:
    """Stage a change made by the API, unless it cannot be applied as things stand: then why. The consumers apply
    it, asking the same question again."""
    problem = assignment_problem(session, event)
    if problem is None:
        encoded = encode_event(event)
        bus.stage(session, [OutgoingMessage(topic, event.key, encoded, hash_headers(hash_encoded(encoded)))])
    return problem
