"""Rebuild every derived table (work records and their weeks, waiting voids, wage lines, income; vacancies,
referrals, labour statuses and their counts) from the event log or topic."""
from __future__ import annotations

from sqlalchemy import and_, delete, exists, select

from app.db.models import (
    Adjustment,
    AreaWeek,
    AreaWeekWorker,
    AttendanceRecord,
    DeadLetter,
    LabourStatus,
    LabourStatusChange,
    LabourStatusDay,
    LabourStatusWeek,
    OutputRecord,
    PayPeriod,
    PendingVoid,
    ProcessedEvent,
    Referral,
    SiteWeek,
    SiteWeekWorker,
    Vacancy,
    WageLine,
)
from app.db.models.periods import FROZEN_STATUSES
from app.ledger.dead_letters import TooLargeToReplay, replay
from app.ledger.retention import forget_dedupe_horizon
from app.pay.income import refill_income
from app.runtime import Runtime

RECORDS = (AttendanceRecord, OutputRecord, PendingVoid, ProcessedEvent, SiteWeekWorker, AreaWeekWorker, SiteWeek,
           AreaWeek)
# The jobs area's, made again by its events; a hire's assignment stays, and its replayed hire finds it made.
JOB_RECORDS = (Referral, Vacancy, LabourStatus, LabourStatusChange, LabourStatusWeek, LabourStatusDay)


def rebuild_derived(runtime: Runtime) -> None:
    """Forget what the wage consumers derived and send their group back to the first event.

    Stop the consumers first; they rebuild everything when started again. Offsets go back
    before the tables are emptied: a crash in between leaves the old results in place, and
    reading the events again changes nothing until the tables are emptied by a second run.
    What was approved stays: wage lines of approved or paid months, and adjustments in months
    that are no longer open. Replayed, the late facts of those months come back as the same
    open adjustments.
    """
    settings = runtime.settings
    runtime.bus.reset_offsets(settings.consumer_group, [settings.topic_work_events])
    with runtime.sessions.begin() as session:
        for model in (*RECORDS, *JOB_RECORDS):
            session.execute(delete(model))
        forget_dedupe_horizon(session)  # with its keys: every event is new again
        session.execute(delete(WageLine).where(~_period_is(WageLine.site_id, WageLine.period, FROZEN_STATUSES)))
        session.execute(delete(Adjustment).where(~_period_is(Adjustment.site_id, Adjustment.in_month,
                                                             ("closed", *FROZEN_STATUSES))))
        session.execute(delete(DeadLetter).where(DeadLetter.topic == settings.topic_work_events))
        refill_income(session)  # what stays of the lines and adjustments is what it counts until the replay


def _period_is(site_id, month, statuses):
    return exists().where(and_(PayPeriod.site_id == site_id, PayPeriod.month == month,
                               PayPeriod.status.in_(statuses)))


def replay_dead_letters(runtime: Runtime, letter_ids: list[int] | None = None) -> int:
    """Replay the parked letters named (all of them when None); return how many."""
    with runtime.sessions.begin() as session:
        query = select(DeadLetter).where(DeadLetter.status == "parked")
        if letter_ids is not None:
            query = query.where(DeadLetter.id.in_(letter_ids))
        replayed = 0
        for letter in session.scalars(query.order_by(DeadLetter.id)).all():
            try:
                replay(session, runtime.bus, letter)
            except TooLargeToReplay:
                continue  # it stays parked: sending it back would stop the relay
            replayed += 1
        return replayed
