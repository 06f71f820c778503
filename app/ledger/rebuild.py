"""Rebuild every derived table (work records and their weeks, waiting voids, wage lines, income; vacancies,
referrals, labour statuses and their counts) from the event log or topic."""
from __future__ import annotations

import json
from collections import Counter

from sqlalchemy import JSON, Connection, and_, delete, exists, insert, inspect, select, text
from sqlalchemy.orm import Session

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
    MatchVacancy,
    OutputRecord,
    PayPeriod,
    PendingVoid,
    ProcessedEvent,
    Referral,
    SiteWeek,
    SiteWeekWorker,
    Vacancy,
    WageLine,
    WorkerMonthIncome,
)
from app.db.models.periods import FROZEN_STATUSES
from app.jobs.match_rows import refill_match_rows
from app.ledger.dead_letters import TooLargeToReplay, replay
from app.ledger.labour import derive_all_work
from app.ledger.retention import forget_dedupe_horizon
from app.pay.income import refill_income
from app.runtime import Runtime

RECORDS = (AttendanceRecord, OutputRecord, PendingVoid, ProcessedEvent, SiteWeekWorker, AreaWeekWorker, SiteWeek,
           AreaWeek)
# The jobs area's, made again by its events; a hire's assignment stays, and its replayed hire finds it made.
JOB_RECORDS = (MatchVacancy, Referral, Vacancy, LabourStatus, LabourStatusChange, LabourStatusWeek, LabourStatusDay)

# Every table the wage consumers write, each with the columns that may differ between the live ledger and a rebuild
# of it: when a row was written (a time, a change stamp) and the ids numbered in the order rows were written. A
# rebuild must give every other column of every row again (bench/rebuild.py, tests/support/ledger.py).
DERIVED_TABLES: dict[str, tuple[str, ...]] = {
    "processed_events": ("processed_at",),
    "attendance_records": ("stamp",),
    "output_records": ("stamp",),
    "pending_voids": ("id", "received_at", "settled_at"),
    "wage_lines": ("id", "updated_at"),
    "adjustments": ("id", "updated_at"),
    "worker_month_income": ("stamp",),
    "site_week_workers": (),
    "area_week_workers": (),
    "site_weeks": (),
    "area_weeks": (),
    "dead_letters": ("id", "first_seen_at", "last_seen_at", "replayed_at"),
    "assignments": ("created_at", "stamp"),  # split by assignment changes
    "labour_statuses": (),
    "labour_status_changes": (),
    "labour_status_weeks": (),
    "labour_status_days": (),
    "vacancies": (),
    "referrals": (),
}


def derived_rows(connection: Connection) -> dict[str, Counter]:
    """Every derived table's rows (their compared columns) as a multiset: what a rebuild must give again."""
    rows = {}
    for table in DERIVED_TABLES:
        columns = [column for column in inspect(connection).get_columns(table)
                   if column["name"] not in DERIVED_TABLES[table]]
        readers = [_json_text if isinstance(column["type"], JSON) else _same for column in columns]
        query = text(f"SELECT {', '.join(column['name'] for column in columns)} FROM {table}")
        rows[table] = Counter(tuple(read(value) for read, value in zip(readers, row, strict=True))
                              for row in connection.execute(query))
    return rows


def _same(value):
    return value


def _json_text(value):
    """A JSON column's value as one text on SQLite (which hands back its text) and PostgreSQL (decoded)."""
    return json.dumps(json.loads(value) if isinstance(value, str) else value, sort_keys=True)


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
        kept = {WageLine: _period_is(WageLine.site_id, WageLine.period, FROZEN_STATUSES),
                Adjustment: _period_is(Adjustment.site_id, Adjustment.in_month, ("closed", *FROZEN_STATUSES))}
        if session.get_bind().dialect.name == "postgresql":
            _truncate(session, (*RECORDS, WorkerMonthIncome), kept)
        else:
            for model in RECORDS:
                session.execute(delete(model))
            for model, keep in kept.items():
                session.execute(delete(model).where(~keep))
        for model in JOB_RECORDS:  # a few rows; and vacancies are referred to by what stays (interests)
            session.execute(delete(model))
        forget_dedupe_horizon(session)  # with its keys: every event is new again
        session.execute(delete(DeadLetter).where(DeadLetter.topic == settings.topic_work_events))
        refill_income(session)  # what stays of the lines and adjustments is what it counts until the replay
        derive_all_work(session)  # the assignments stay, and the labourers' days at work with them
        refill_match_rows(session)  # no status and no vacancy until the replay: every labourer free


def _truncate(session: Session, models, kept: dict) -> None:
    """Empty `models`, and `kept`'s models but for the rows their condition keeps, by TRUNCATE: a DELETE leaves as
    many dead rows and index entries as it removed, which the replay's writes and lookups then wade through until a
    vacuum. The rows kept wait in temporary tables and go back with their ids."""
    for model, keep in kept.items():
        table = model.__table__
        rows = select(table).where(keep).compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        session.execute(text(f"CREATE TEMPORARY TABLE kept_{table.name} ON COMMIT DROP AS {rows}"))
    session.execute(text(f"TRUNCATE {', '.join(model.__tablename__ for model in (*models, *kept))}"))
    for model in kept:
        table = model.__table__
        session.execute(insert(table).from_select(list(table.columns.keys()),
                                                  select(text("*")).select_from(text(f"kept_{table.name}"))))


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
