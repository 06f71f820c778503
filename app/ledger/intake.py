"""Taking work events in: all valid or none, each id accepted once, staged on the bus in the
same transaction as the record of its receipt.

The receipt is one set-based write: the `received_events` rows of a request in one multi-row insert,
and in the audit log one summary entry per site (`record_summaries`) naming the ids it received, so
the log still says who posted which event without a row (and a region lookup) per event."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.audit import record_summaries
from app.db.models import OutputRecord, ReceivedEvent, Region, Site
from app.db.models.types import utcnow
from app.db.queries import among
from app.db.rows import insert_rows
from app.ledger.checks import OutputRef, Problem, WorkContext
from app.ledger.jobs import job_problem
from app.ledger.retention import INTAKE, event_time_problem, horizon
from events import (
    ATTENDANCE_RECORDED,
    OUTPUT_RECORDED,
    OUTPUT_VOIDED,
    STAGED_EVENTS,
    InvalidEvent,
    WorkEvent,
    encode_event,
    parse_event,
)
from events.bus import Bus, OutgoingMessage
from events.envelope import hash_encoded, hash_headers


class EventsRejected(Exception):
    """Some events are invalid; `errors` maps each bad item's index to its field errors."""

    def __init__(self, errors: dict[str, Any]):
        super().__init__(f"{len(errors)} invalid event(s)")
        self.errors = errors


@dataclass(frozen=True)
class Receipt:
    id: str
    status: str  # "accepted" or "duplicate"


def parse_all(raw_events: list[Any]) -> tuple[dict[int, WorkEvent], dict[str, Any]]:
    """Parse every item: the well-formed events by index, and the errors of the others."""
    parsed, errors = {}, {}
    for index, raw in enumerate(raw_events):
        try:
            event = parse_event(raw)
        except InvalidEvent as error:
            errors[str(index)] = error.errors
            continue
        if event.type in STAGED_EVENTS:  # each has its endpoint, which checks who may make it
            errors[str(index)] = {"type": [f"{event.type} is made through the labour, vacancy, referral and "
                                           "assignment endpoints, not sent as a work event"]}
        else:
            parsed[index] = event
    return parsed, errors


def stage_job_event(session: Session, bus: Bus, topic: str, event: WorkEvent) -> Problem | None:
    """Stage an event of the jobs area made by the API, unless it cannot be applied as things stand: then why.
    The consumers apply it, asking the same question again."""
    problem = job_problem(session, event)
    if problem is None:
        encoded = encode_event(event)
        bus.stage(session, [OutgoingMessage(topic, event.key, encoded, hash_headers(hash_encoded(encoded)))])
    return problem


def accept_events(session: Session, bus: Bus, topic: str, events: dict[int, WorkEvent],
                  errors: dict[str, Any], today: date) -> list[Receipt]:
    """Record and stage new events, or raise EventsRejected with every bad item (`errors` too).

    A repeated id with the same content is a duplicate; with other content, a conflict. Work is judged as of
    `today` (app.ledger.checks.work_today).
    """
    errors = dict(errors)
    known = _received(session, {event.id for event in events.values()})
    # After the receipts: a purge that commits in between shows in its horizon (app/ledger/retention.py).
    events = _within_retention(session, events, errors, known)
    fresh: list[tuple[int, WorkEvent, bytes, str]] = []  # (index, event, its encoding, the encoding's hash)
    receipts: list[Receipt] = []
    for index, event in events.items():
        encoded = encode_event(event)  # once: its hash decides duplicates, and it is what gets staged
        digest = hash_encoded(encoded)
        previous = known.get(event.id)
        if previous is not None and previous != digest:
            errors[str(index)] = {"id": ["already used by another event with different content"]}
        elif previous is None:
            known[event.id] = digest
            fresh.append((index, event, encoded, digest))
        receipts.append(Receipt(event.id, "duplicate" if previous is not None else "accepted"))
    new_events = [event for _, event, _, _ in fresh]
    context = WorkContext(session, new_events, _void_targets(session, new_events), today)
    # Every output of the request is known before any void is judged: their order in it must not matter.
    context.outputs.update((event.id, OutputRef(event.worker_id, event.site_id))
                           for event in new_events if event.type == OUTPUT_RECORDED)
    for index, event, _, _ in fresh:
        problem = context.problem(event)
        if problem is not None:
            errors[str(index)] = problem.as_errors()
        elif event.type == ATTENDANCE_RECORDED:
            context.note_attendance(event)  # the request's other days at other sites count it
    if errors:
        raise EventsRejected(dict(sorted(errors.items(), key=lambda item: int(item[0]))))
    if fresh:
        _record_receipt(session, [(event, digest) for _, event, _, digest in fresh])
        bus.stage(session, [OutgoingMessage(topic, event.worker_id, encoded, hash_headers(digest))
                            for _, event, encoded, digest in fresh])
    return receipts


def _within_retention(session: Session, events: dict[int, WorkEvent], errors: dict[str, Any],
                      known: dict[str, str]) -> dict[int, WorkEvent]:
    """The events received already, and the new ones whose receipt will last as long as a retry of them could come;
    `errors` gets the others'."""
    now, intake_horizon = utcnow(), horizon(session, INTAKE)
    kept = {}
    for index, event in events.items():
        problem = None if event.id in known else event_time_problem(event.time, intake_horizon, now)
        if problem is None:
            kept[index] = event
        else:
            errors[str(index)] = {"time": [problem]}
    return kept


def _record_receipt(session: Session, fresh: list[tuple[WorkEvent, str]]) -> None:
    """The received_events rows in one statement, and one audit entry per site with the ids it received."""
    now = utcnow()
    insert_rows(session, ReceivedEvent.__table__, [  # COPY on PostgreSQL: cheaper than INSERT's parameters
        {"event_id": event.id, "content_hash": digest, "event_type": event.type,
         "worker_id": event.worker_id, "site_id": event.site_id, "received_at": now}
        for event, digest in fresh])
    by_site: dict[str, list[str]] = defaultdict(list)
    for event, _ in fresh:
        by_site[event.site_id].append(event.id)
    paths = dict(session.execute(select(Site.id, Region.path).join(Region, Site.region_code == Region.code)
                                 .where(Site.id.in_(by_site))).all())
    record_summaries(session, "insert", ReceivedEvent.__tablename__, [
        (f"{site_id}/{len(event_ids)} events", paths.get(site_id), None, {"site_id": site_id, "event_ids": event_ids})
        for site_id, event_ids in sorted(by_site.items())])


def _received(session: Session, ids: set[str]) -> dict[str, str]:
    rows = session.execute(select(ReceivedEvent.event_id, ReceivedEvent.content_hash).where(
        among(session, ReceivedEvent.event_id, ids)))
    return {row.event_id: row.content_hash for row in rows}


def _void_targets(session: Session, events: list[WorkEvent]) -> dict[str, OutputRef]:
    ids = {event.data["output_id"] for event in events if event.type == OUTPUT_VOIDED}
    if not ids:
        return {}
    rows = session.execute(
        select(ReceivedEvent.event_id, ReceivedEvent.worker_id, ReceivedEvent.site_id).where(
            among(session, ReceivedEvent.event_id, ids), ReceivedEvent.event_type == OUTPUT_RECORDED))
    found = {row.event_id: OutputRef(row.worker_id, row.site_id) for row in rows}
    if missing := ids - found.keys():  # received before the receipts kept (app/ledger/retention.py): recorded since
        found.update((row.event_id, OutputRef(row.worker_id, row.site_id)) for row in session.execute(
            select(OutputRecord.event_id, OutputRecord.worker_id, OutputRecord.site_id).where(
                among(session, OutputRecord.event_id, missing))))
    return found
