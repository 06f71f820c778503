"""Rebuild every derived table (work records, wage lines) from the event log or topic."""
from __future__ import annotations

from sqlalchemy import delete, select

from app.db.models import AttendanceRecord, DeadLetter, OutputRecord, ProcessedEvent, WageLine
from app.dead_letters import replay
from app.runtime import Runtime

DERIVED = (WageLine, AttendanceRecord, OutputRecord, ProcessedEvent)


def rebuild_derived(runtime: Runtime) -> None:
    """Forget what the wage consumers derived and send their group back to the first event.

    Stop the consumers first; they rebuild everything when started again. Offsets go back
    before the tables are emptied: a crash in between leaves the old results in place, and
    reading the events again changes nothing until the tables are emptied by a second run.
    """
    settings = runtime.settings
    runtime.bus.reset_offsets(settings.consumer_group, [settings.topic_work_events])
    with runtime.sessions.begin() as session:
        for model in DERIVED:
            session.execute(delete(model))
        session.execute(delete(DeadLetter).where(DeadLetter.topic == settings.topic_work_events))


def replay_dead_letters(runtime: Runtime, letter_ids: list[int] | None = None) -> int:
    """Replay the parked letters named (all of them when None); return how many."""
    with runtime.sessions.begin() as session:
        query = select(DeadLetter).where(DeadLetter.status == "parked")
        if letter_ids is not None:
            query = query.where(DeadLetter.id.in_(letter_ids))
        letters = session.scalars(query.order_by(DeadLetter.id)).all()
        for letter in letters:
            replay(session, runtime.bus, letter)
        return len(letters)
