"""One batch of messages, one transaction: dedupe, check, apply, recompute, park the rest."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import OutputRecord, ProcessedEvent
from app.db.queries import among
from app.ledger.apply import HANDLERS
from app.ledger.assignments import apply_assignment_change, assignment_problem
from app.ledger.checks import OutputRef, Problem, WorkContext
from app.ledger.dead_letters import park
from app.ledger.jobs import apply_job, job_problem
from app.ledger.records import BatchRecords, WageKey
from app.ledger.retention import dedupe_cutoff_ms, taken_in_ms
from app.ledger.wages import recompute_wage_lines
from app.ledger.week_counts import keep_counts
from events import (
    ASSIGNMENT_EVENTS,
    ATTENDANCE_RECORDED,
    DISPUTE_EVENTS,
    JOB_EVENTS,
    OUTPUT_RECORDED,
    OUTPUT_VOIDED,
    STAGED_EVENTS,
    InvalidEvent,
    WorkEvent,
    decode_event,
)
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
    (app.ledger.checks.work_today); the caller commits, then the offsets.

    The jobs area's events go first, so that a hire's assignment is there for the work events of the batch; then
    the changes of assignments, whose wage keys are recomputed with the work's."""
    result = BatchResult()
    decoded: list[tuple[Message, WorkEvent]] = []
    for message in map(as_structured, messages):
        try:
            decoded.append((message, decode_event(message.value)))
        except InvalidEvent as error:
            result.consumed["invalid"] += 1
            result.dead_lettered["invalid"] += park(
                session, bus, dead_letter_topic, message, "invalid event", error.errors)
    jobs = [(message, event) for message, event in decoded if event.type in (*JOB_EVENTS, *DISPUTE_EVENTS)]
    changes = [(message, event) for message, event in decoded if event.type in ASSIGNMENT_EVENTS]
    work = [(message, event) for message, event in decoded if event.type not in STAGED_EVENTS]
    seen = _processed_hashes(session, [event for _, event in decoded])
    # After the keys: a purge committed between the two reads shows in its horizon (app/ledger/retention.py).
    admit = _Admission(session, bus, dead_letter_topic, result, seen, dedupe_cutoff_ms(session))
    for message, event in jobs:
        if (digest := admit(message, event, partial(job_problem, session))) is not None:
            apply_job(session, event)
            session.add(ProcessedEvent(event_id=event.id, content_hash=digest))
            admit.applied(event, digest)
    touched: set[WageKey] = set()
    for message, event in changes:
        if (digest := admit(message, event, partial(assignment_problem, session))) is not None:
            touched |= apply_assignment_change(session, event)
            session.add(ProcessedEvent(event_id=event.id, content_hash=digest))
            admit.applied(event, digest)
    _apply_work(session, admit, work, today, touched)
    return result


def _apply_work(session: Session, admit: _Admission, decoded: list[tuple[Message, WorkEvent]], today: date,
                touched: set[WageKey]) -> None:
    """The work events, and the wage lines of their keys and of `touched` (by the batch's assignment changes)."""
    events = [event for _, event in decoded]
    context = WorkContext(session, events, _void_targets(session, events), today)
    records = BatchRecords.load(session, events)
    for message, event in decoded:
        if (digest := admit(message, event, context.problem)) is None:
            continue
        touched.update(HANDLERS[event.type](event, context, records))
        records.processed_event(event.id, digest)
        admit.applied(event, digest)
        if event.type == OUTPUT_RECORDED:
            context.outputs[event.id] = OutputRef(event.worker_id, event.site_id)
        elif event.type == ATTENDANCE_RECORDED:
            context.note_attendance(event)
    records.save(session)
    recompute_wage_lines(session, touched, context, records.attendance)
    keep_counts(session, records.week_changes)  # last: it locks rows every consumer writes


@dataclass
class _Admission:
    """Whether a decoded event takes effect: not a duplicate, on its key's partition, its id not reused, and
    applicable (else parked with the reason)."""

    session: Session
    bus: Bus
    topic: str
    result: BatchResult
    seen: dict[str, str]
    received_after_ms: int | None  # a message taken in before this may have lost its dedupe key

    def __call__(self, message: Message, event: WorkEvent,
                 problem_of: Callable[[WorkEvent], Problem | None]) -> str | None:
        """The message's content hash when the event is to be applied; None when it is not."""
        self.result.consumed[event.type] += 1
        digest = message_hash(event, message.value, message.headers)
        previous = self.seen.get(event.id)
        if previous == digest:
            self.result.duplicates[event.type] += 1
            return None
        if previous is None and self.received_after_ms is not None and \
                taken_in_ms(message, event.time) < self.received_after_ms:
            return self._park(message, event, "expired", "taken in before the oldest dedupe key kept: it may have "
                              "been applied already", {"id": ["received before the dedupe keys kept (retention)"]})
        if message.key != event.key:  # another partition: its order is not this key's
            kind = "vacancy" if "vacancy_id" in event.data else "worker"
            return self._park(message, event, "key", f"key is not the {kind} id",
                              {"key": [f"must be the {kind} id {event.key}"]})
        if previous is not None:
            return self._park(message, event, "conflict", "conflict: event id already used with other content",
                              {"id": ["already used with other content"]})
        problem = problem_of(event)
        if problem is not None:
            log.info("event cannot be applied", event_id=event.id, reason=problem.message)
            return self._park(message, event, "not_applicable", problem.message, problem.as_errors())
        return digest

    def applied(self, event: WorkEvent, digest: str) -> None:
        log.debug("event applied", event_id=event.id, type=event.type)
        self.seen[event.id] = digest
        self.result.applied[event.type] += 1

    def _park(self, message: Message, event: WorkEvent, kind: str, reason: str, errors: dict) -> None:
        self.result.dead_lettered[kind] += park(self.session, self.bus, self.topic, message, reason, errors,
                                                event.id, event.type)


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
