"""A worker's dispute of a day of their pay, and the site supervisor's answer, as events on the bus.

The worker raises it (dispute.raised) about a day at a site where they are assigned. The supervisor accepts it,
which sends the correcting work events through the intake as any supervisor's correction goes (attendance.recorded;
output.voided and output.recorded), so the consumers stay the only writers of wage lines and an approved month gets
an adjustment; or rejects it with a reason (dispute.rejected). Each step is checked here and again by the consumers
(app.ledger.disputes), and recorded in the audit log as its caller's. An open dispute holds its site's month back
from approval as an open review flag does (app.pay.periods)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from app.db.audit import record_summary
from app.db.models import Assignment, Dispute, OutputRecord, PayPeriod, Region, Site
from app.ledger.intake import EventsRejected, accept_events, stage_job_event
from events import (
    ATTENDANCE_RECORDED,
    DISPUTE_ACCEPTED,
    DISPUTE_RAISED,
    DISPUTE_REJECTED,
    OUTPUT_RECORDED,
    OUTPUT_VOIDED,
    InvalidEvent,
    WorkEvent,
    parse_event,
)
from events.bus import Bus
from events.envelope import new_event_id


class DisputeRefused(Exception):
    """The dispute or its answer cannot be taken: `status` is the HTTP status that says so, `errors` by field."""

    def __init__(self, status: int, message: str, errors: dict[str, Any] | None = None):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors


@dataclass(frozen=True)
class Claim:
    """What a worker says is wrong with a day: `kind` (events.schemas.DISPUTE_KINDS), the value they claim (hours
    or pieces) where it applies, the product of an output, and a note."""

    site_id: str
    day: date
    kind: str
    claimed: Decimal | None = None
    product: str | None = None
    note: str | None = None


def raise_dispute(session: Session, bus: Bus, topic: str, worker_id: str, claim: Claim, today: date) -> Dispute:
    """Stage dispute.raised for the worker's `claim`; the dispute as it will read once applied."""
    if claim.day > today:
        raise DisputeRefused(422, "a day still to come cannot be disputed", {"date": ["is after today"]})
    if claim.kind in ("hours", "output") and claim.claimed is None:
        raise DisputeRefused(422, "say what is right", {"claimed": ["required for this kind"]})
    if claim.kind == "output" and not claim.product:
        raise DisputeRefused(422, "say which product", {"product": ["required for an output"]})
    if not session.scalar(select(exists().where(
            Assignment.worker_id == worker_id, Assignment.site_id == claim.site_id,
            Assignment.start_date <= claim.day,
            (Assignment.end_date.is_(None)) | (Assignment.end_date >= claim.day)))):
        raise DisputeRefused(422, "you were not assigned to this site on this day",
                             {"site_id": ["not yours on this day"]})
    if session.scalar(select(exists().where(Dispute.worker_id == worker_id, Dispute.site_id == claim.site_id,
                                            Dispute.work_date == claim.day, Dispute.status == "open"))):
        raise DisputeRefused(409, "this day is disputed already: wait for the answer")
    dispute_id = new_event_id()
    claimed = None if claim.claimed is None else f"{claim.claimed.normalize():f}"
    data = {"dispute_id": dispute_id, "worker_id": worker_id, "site_id": claim.site_id,
            "date": claim.day.isoformat(), "kind": claim.kind, "claimed": claimed,
            "product": claim.product or None, "note": claim.note or None}
    event = _stage(session, bus, topic, DISPUTE_RAISED, f"workers/{worker_id}", data)
    path = _site_path(session, claim.site_id)
    record_summary(session, "insert", Dispute.__tablename__, f"{dispute_id} raised", path, None, data)
    return Dispute(id=dispute_id, worker_id=worker_id, site_id=claim.site_id, month=claim.day.strftime("%Y-%m"),
                   work_date=claim.day, region_path=path, kind=claim.kind, claimed=claimed, product=data["product"],
                   note=data["note"], status="open", raised_at=event.time, corrections=[],
                   last_event_id=event.id)


def accept_dispute(session: Session, bus: Bus, topic: str, dispute: Dispute, actor_id: str, today: date) -> list[str]:
    """Send the work events that correct the day through the intake, then stage dispute.accepted naming them;
    their ids. A dispute of kind `other` names none: the supervisor corrects the day in the register."""
    _still_open(dispute)
    corrections = correcting_events(session, dispute)
    if corrections:
        parsed = {index: _parsed(raw) for index, raw in enumerate(corrections)}
        try:
            accept_events(session, bus, topic, parsed, {}, today)
        except EventsRejected as refused:
            raise DisputeRefused(409, "the correction cannot be recorded", refused.errors) from None
    ids = [raw["id"] for raw in corrections]
    dispute.answer_event_id = _stage(session, bus, topic, DISPUTE_ACCEPTED, f"tokens/{actor_id}", {
        "dispute_id": dispute.id, "worker_id": dispute.worker_id, "site_id": dispute.site_id,
        "decided_by": actor_id, "corrections": ids}).id
    record_summary(session, "update", Dispute.__tablename__, f"{dispute.id} accepted", dispute.region_path,
                   {"status": "open"}, {"status": "accepted", "corrections": ids})
    return ids


def reject_dispute(session: Session, bus: Bus, topic: str, dispute: Dispute, actor_id: str, reason: str) -> None:
    """Stage dispute.rejected with the reason the worker will read."""
    _still_open(dispute)
    if not reason.strip():
        raise DisputeRefused(422, "say why", {"reason": ["required"]})
    dispute.answer_event_id = _stage(session, bus, topic, DISPUTE_REJECTED, f"tokens/{actor_id}", {
        "dispute_id": dispute.id, "worker_id": dispute.worker_id, "site_id": dispute.site_id,
        "decided_by": actor_id, "reason": reason.strip()}).id
    record_summary(session, "update", Dispute.__tablename__, f"{dispute.id} rejected", dispute.region_path,
                   {"status": "open"}, {"status": "rejected", "reason": reason.strip()})


def correcting_events(session: Session, dispute: Dispute) -> list[dict[str, Any]]:
    """The work events (as CloudEvents) that make the day what the worker says: a day worked, its hours, or the
    product's output (the day's outputs of it voided, the claimed quantity recorded)."""
    data = {"worker_id": dispute.worker_id, "site_id": dispute.site_id}
    if dispute.kind in ("worked", "hours"):
        minutes = None if dispute.claimed is None else int(
            (Decimal(dispute.claimed) * 60).quantize(Decimal(1), ROUND_HALF_UP))
        return [_work(ATTENDANCE_RECORDED, {**data, "date": dispute.work_date.isoformat(), "status": "present",
                                            "minutes": minutes})]
    if dispute.kind != "output":
        return []
    outputs = list(session.scalars(select(OutputRecord).where(
        OutputRecord.worker_id == dispute.worker_id, OutputRecord.site_id == dispute.site_id,
        OutputRecord.work_date == dispute.work_date, OutputRecord.product == dispute.product,
        OutputRecord.voided_by.is_(None)).order_by(OutputRecord.event_id)))
    voids = [_work(OUTPUT_VOIDED, {**data, "output_id": output.event_id,
                                   "reason": f"dispute {dispute.id} accepted"}) for output in outputs]
    grade = outputs[0].grade if outputs else "A"
    return [*voids, _work(OUTPUT_RECORDED, {**data, "date": dispute.work_date.isoformat(),
                                            "product": dispute.product, "grade": grade,
                                            "quantity": int(Decimal(dispute.claimed))})]


def open_disputes(session: Session, site_id: str, month: str) -> list[Dispute]:
    """The open disputes that hold a site's month back from approval."""
    return list(session.scalars(select(Dispute).where(
        Dispute.site_id == site_id, Dispute.month == month, Dispute.status == "open").order_by(Dispute.raised_at)))


def any_open_dispute():
    """A condition on a `PayPeriod` row (correlated): its site's month has an open dispute."""
    return exists().where(and_(Dispute.site_id == PayPeriod.site_id, Dispute.month == PayPeriod.month,
                               Dispute.status == "open"))


def own_disputes(session: Session, worker_id: str, month: str | None = None) -> list[Dispute]:
    """A worker's disputes (of a month), newest first."""
    query = select(Dispute).where(Dispute.worker_id == worker_id).order_by(Dispute.raised_at.desc(), Dispute.id)
    if month is not None:
        query = query.where(Dispute.month == month)
    return list(session.scalars(query))


@dataclass(frozen=True)
class SiteDisputes:
    site_id: str
    site_name: str
    open: int
    accepted: int
    rejected: int

    @property
    def raised(self) -> int:
        return self.open + self.accepted + self.rejected


def dispute_counts(session: Session, region_path: str | None) -> list[SiteDisputes]:
    """Per site inside `region_path` (everywhere when None) with any dispute: its disputes by outcome."""
    query = (select(Dispute.site_id, Site.name, Dispute.status, func.count()).join(Site, Site.id == Dispute.site_id)
             .group_by(Dispute.site_id, Site.name, Dispute.status))
    if region_path is not None:
        query = query.where(Dispute.region_path.startswith(region_path))
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for site_id, name, status, count in session.execute(query):
        counts.setdefault((site_id, name), {"open": 0, "accepted": 0, "rejected": 0})[status] = count
    return [SiteDisputes(site_id, name, **by_status) for (site_id, name), by_status in sorted(counts.items())]


def _still_open(dispute: Dispute) -> None:
    if dispute.status != "open" or dispute.answer_event_id is not None:
        raise DisputeRefused(409, "the dispute is answered already")


def _site_path(session: Session, site_id: str) -> str | None:
    return session.scalar(select(Region.path).join(Site, Site.region_code == Region.code).where(Site.id == site_id))


def _work(type_: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"specversion": "1.0", "id": new_event_id(), "type": type_, "source": "disputes",
            "time": datetime.now(UTC).isoformat(), "data": data}


def _parsed(raw: dict[str, Any]) -> WorkEvent:
    try:
        return parse_event(raw)
    except InvalidEvent as error:
        raise DisputeRefused(422, "the correction is not a valid work event", error.errors) from None


def _stage(session: Session, bus: Bus, topic: str, event_type: str, source: str, data: dict[str, Any]) -> WorkEvent:
    event = _parsed({**_work(event_type, data), "source": source})
    problem = stage_job_event(session, bus, topic, event)
    if problem is not None:
        raise DisputeRefused(409, problem.message, problem.as_errors())
    return event
