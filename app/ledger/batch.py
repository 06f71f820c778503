"""One batch of messages, one transaction: dedupe, check, apply, recompute, park the rest."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import OutputRecord, ProcessedEvent
from app.db.queries import among
from app.ledger.apply import HANDLERS
from app.ledger.checks import OutputRef, WorkContext
from app.ledger.dead_letters import park
from app.ledger.records import BatchRecords, WageKey
from app.ledger.wages import recompute_wage_lines
from app.ledger.week_counts import keep_counts
from events import ATTENDANCE_RECORDED, OUTPUT_RECORDED, OUTPUT_VOIDED, InvalidEvent, WorkEvent, decode_event
from events.bus import Bus, Message
from events.envelope import message_hash
from events.modes import as_structured

log = structlog.get_logger("consumers.wages")


@dataclass
class BatchResult:
    """What one batch did, counted by event type (dead letters by kind of reason)."""

    consumed: Counter = field(default_factory=Counter)
    applied: Counter = field(default_factory=Counter)
    duplicates: Counter = field(default_factory=Counter)
    dead_lettered: Counter = field(default_factory=Counter)


def process_batch(session: Session, bus: Bus, dead_letter_topic: str, messages: list[Message],
                  today: date) -> BatchResult:
    """Apply `messages` inside `session`'s transaction, judging work as of `today`
    (app.ledger.checks.work_today); the caller commits, then the offsets."""
    result = BatchResult()
    decoded: list[tuple[Message, WorkEvent]] = []
    for message in map(as_structured, messages):
        try:
            decoded.append((message, decode_event(message.value)))
        except InvalidEvent as error:
            result.consumed["invalid"] += 1
            result.dead_lettered["invalid"] += park(
                session, bus, dead_letter_topic, message, "invalid event", error.errors)
    events = [event for _, event in decoded]
    seen = _processed_hashes(session, events)
    context = WorkContext(session, events, _void_targets(session, events), today)
    records = BatchRecords.load(session, events)
    touched: set[WageKey] = set()
    for message, event in decoded:
        result.consumed[event.type] += 1
        digest = message_hash(event, message.value, message.headers)
        previous = seen.get(event.id)
        if previous == digest:
            result.duplicates[event.type] += 1
            continue
        if message.key != event.worker_id:  # another worker's partition: its order is not this worker's
            result.dead_lettered["key"] += park(
                session, bus, dead_letter_topic, message, "key is not the worker id",
                {"key": [f"must be the worker id {event.worker_id}"]}, event.id, event.type,
            )
            continue
        if previous is not None:
            result.dead_lettered["conflict"] += park(
                session, bus, dead_letter_topic, message, "conflict: event id already used with other content",
                {"id": ["already used with other content"]}, event.id, event.type,
            )
            continue
        problem = context.problem(event)
        if problem is not None:
            log.info("event cannot be applied", event_id=event.id, reason=problem.message)
            result.dead_lettered["not_applicable"] += park(
                session, bus, dead_letter_topic, message, problem.message, problem.as_errors(), event.id, event.type
            )
            continue
        touched.update(HANDLERS[event.type](event, context, records))
        log.debug("event applied", event_id=event.id, type=event.type)
        records.processed_event(event.id, digest)
        seen[event.id] = digest
        if event.type == OUTPUT_RECORDED:
            context.outputs[event.id] = OutputRef(event.worker_id, event.site_id)
        elif event.type == ATTENDANCE_RECORDED:
            context.note_attendance(event)
        result.applied[event.type] += 1
    records.save(session)
    recompute_wage_lines(session, touched, context, records.attendance)
    keep_counts(session, records.week_changes)  # last: it locks rows every consumer writes
    return result


def _processed_hashes(session: Session, events: list[WorkEvent]) -> dict[str, str]:
    ids = {event.id for event in events}
    rows = session.execute(select(ProcessedEvent.event_id, ProcessedEvent.content_hash).where(
        among(session, ProcessedEvent.event_id, ids)))
    return {row.event_id: row.content_hash for row in rows}


def _void_targets(session: Session, events: list[WorkEvent]) -> dict[str, OutputRef]:
    ids = {event.data["output_id"] for event in events if event.type == OUTPUT_VOIDED}
    rows = session.execute(select(OutputRecord.event_id, OutputRecord.worker_id, OutputRecord.site_id).where(
        among(session, OutputRecord.event_id, ids))) if ids else []
    return {row.event_id: OutputRef(row.worker_id, row.site_id) for row in rows}
