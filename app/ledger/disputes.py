"""Disputes from their events (DISPUTE_EVENTS): a worker says a day of theirs is recorded wrong, and the site's
supervisor accepts (the correcting work events travel beside it and make the wage lines) or rejects with a
reason. The answer is told to the worker through the outbox (app.messages.outbox), in the same transaction."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Dispute, Region, Site, Worker
from app.ledger.checks import Problem
from app.messages.outbox import note_dispute_answered
from events import DISPUTE_ACCEPTED, DISPUTE_RAISED, WorkEvent


def dispute_problem(session: Session, event: WorkEvent) -> Problem | None:
    """Why a dispute event can never be applied, or None (also when it was applied already)."""
    data = event.data
    dispute = session.get(Dispute, data["dispute_id"])
    if dispute is not None and (dispute.worker_id, dispute.site_id) != (event.worker_id, event.site_id):
        return Problem("data.dispute_id", "this dispute is of another worker or site")
    if event.type == DISPUTE_RAISED:
        if dispute is not None:
            return None
        if session.get(Worker, event.worker_id) is None:
            return Problem("data.worker_id", f"unknown worker {event.worker_id}")
        if session.get(Site, event.site_id) is None:
            return Problem("data.site_id", f"unknown site {event.site_id}")
        if session.scalar(select(Dispute.id).where(
                Dispute.worker_id == event.worker_id, Dispute.site_id == event.site_id,
                Dispute.work_date == data["date"], Dispute.status == "open").limit(1)) is not None:
            return Problem("data.date", "this day is disputed already")  # two sent before either was applied
        return None
    if dispute is None:
        return Problem("data.dispute_id", f"unknown dispute {data['dispute_id']}")
    if dispute.last_event_id == event.id or (dispute.status == "open"
                                             and dispute.answer_event_id in (None, event.id)):
        return None
    return Problem("data.dispute_id", f"the dispute is {dispute.status}")


def apply_dispute_raised(session: Session, event: WorkEvent) -> None:
    data = event.data
    if session.get(Dispute, data["dispute_id"]) is not None:
        return
    path = session.scalar(select(Region.path).join(Site, Site.region_code == Region.code)
                          .where(Site.id == event.site_id))
    session.add(Dispute(id=data["dispute_id"], worker_id=event.worker_id, site_id=event.site_id,
                        month=data["date"].strftime("%Y-%m"), work_date=data["date"], region_path=path,
                        kind=data["kind"], claimed=data["claimed"], product=data["product"], note=data["note"],
                        status="open", raised_at=event.time, corrections=[], last_event_id=event.id))


def apply_dispute_answered(session: Session, event: WorkEvent) -> None:
    dispute = session.get(Dispute, event.data["dispute_id"])
    if dispute.last_event_id == event.id:
        return
    accepted = event.type == DISPUTE_ACCEPTED
    dispute.status = "accepted" if accepted else "rejected"
    dispute.decided_at, dispute.decided_by, dispute.last_event_id = event.time, event.data["decided_by"], event.id
    if accepted:
        dispute.corrections = list(event.data["corrections"])
    else:
        dispute.reason = event.data["reason"]
    note_dispute_answered(session, dispute)
