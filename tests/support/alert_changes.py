"""A month evaluated by schedule, facts changed, and the month evaluated again, on SQLite and on PostgreSQL:
the second evaluation, which reads only what changed since the first (app/alerts/baseline.py), must raise
exactly what an evaluation of every household and site raises on the same facts, kind by kind. Each step
commits, as the consumers and the scheduler do; `clear` empties the database for the next example."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta

from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from sqlalchemy import delete, event, select, update

import payroll
from app.alerts.evaluation import evaluate, thresholds_from
from app.alerts.schedule import run_due_evaluation
from app.db.declarative import Base
from app.db.models import (
    Alert,
    AlertEvaluation,
    ApprovedPay,
    Assignment,
    AttendanceRecord,
    AuditEntry,
    ChangeClock,
    Household,
    OutputRecord,
    PaymentBatch,
    PaymentLine,
    PeriodTransition,
    Worker,
    WorkerMonthIncome,
)
from app.pay.income import add_income
from app.registry.households import change_household
from app.runtime import Runtime
from events.bus.log import event_log
from support.alert_world import AS_OF, MONTH, MONTHS, PAYMENT_STATUSES, STATUSES, Country, countries, normal, store
from support.alert_world import _approved_at as approved_at
from support.alert_world import _on as on

KINDS = payroll.KINDS


@dataclass(frozen=True)
class Changes:
    """Facts written between the two evaluations; indexes are the country's workers, sites and records."""
    income: list[tuple[int, str, int]]                      # worker, month, fen added (0: back to nothing)
    households: list[tuple[str, int, int]]                  # new: status, size, fen earned in the month
    sizes: list[tuple[int, int, str]]                       # household, its size from a month on
    attendance: dict[tuple[int, int, int], str]             # (worker, site, day) -> status, new or changed
    outputs: list[tuple[int, int, int, int]]                # new: worker, site, day, quantity
    voids: list[int]                                        # outputs of the country voided
    assignments: list[tuple[int, int, int, int | None]]     # new: worker, site, start, end
    approvals: list[tuple[int, str, int]]                   # new: site, month, days after the month's end
    approved_pay: list[tuple[int, str, int, int]]           # site, month, worker, fen added
    payments: list[tuple[int, str, int, int, str]]          # new: site, month, worker, fen, status
    confirmed: list[int]                                    # payment lines confirmed, by rank
    days_later: int                                         # the second evaluation's as-of date after the first


@st.composite
def changed_countries(draw) -> tuple[Country, Changes, dict]:
    """A country, the thresholds of the settings, and the changes after its first evaluation."""
    thresholds = {"alert_drop_ratio": draw(st.sampled_from(["0.1", "0.3", "0.5"])),
                  "alert_default_monitoring_line_yuan": draw(st.integers(1, 600)),
                  "alert_no_work_days": draw(st.integers(1, 6)), "alert_arrears_days": draw(st.integers(0, 40)),
                  "alert_projection_months": draw(st.integers(1, 12))}
    country = draw(countries())
    worker, site = st.integers(0, len(country.workers) - 1), st.integers(0, len(country.sites) - 1)
    # days mostly among a site's last, where a day recorded for the others can leave a worker idle
    months, day = st.sampled_from(MONTHS[-5:]), st.integers(-30, 3) | st.integers(-4, 1) | st.integers(-4, 1)
    approval_months = st.sampled_from(MONTHS[-4:-2])
    changes = Changes(
        income=draw(st.lists(st.tuples(worker, months, st.sampled_from([0, 1, 500, 30_000])), max_size=4)),
        households=draw(st.lists(st.tuples(st.sampled_from(payroll.HOUSEHOLD_STATUSES), st.integers(1, 5),
                                           st.sampled_from([0, 100_000])), max_size=2)),
        sizes=draw(st.lists(st.tuples(st.integers(0, len(country.households) - 1), st.integers(1, 5),
                                      st.sampled_from(MONTHS[-6:])), max_size=2)),
        attendance=draw(st.dictionaries(st.tuples(worker, site, day), st.sampled_from(STATUSES), max_size=8)),
        outputs=draw(st.lists(st.tuples(worker, site, day, st.integers(0, 3)), max_size=3)),
        voids=draw(st.lists(st.integers(0, max(len(country.outputs) - 1, 0)), max_size=2 if country.outputs else 0)),
        assignments=draw(st.lists(st.tuples(worker, site, st.integers(-60, 2), st.none() | st.integers(-3, 30)),
                                  max_size=2)),
        approvals=draw(st.lists(st.tuples(site, approval_months, st.integers(0, 70)), max_size=2)),
        approved_pay=draw(st.lists(st.tuples(site, approval_months, worker, st.integers(1, 50_000)), max_size=2)),
        payments=draw(st.lists(st.tuples(site, approval_months, worker, st.integers(0, 50_000),
                                         st.sampled_from(PAYMENT_STATUSES)), max_size=2)),
        confirmed=draw(st.lists(st.integers(0, 20), max_size=2)),
        days_later=draw(st.sampled_from([0, 0, 0, 1, 9])))
    return replace(country, within=None), changes, thresholds


def evaluate_change_and_evaluate_again(runtime: Runtime, country: Country, changes: Changes, thresholds: dict) -> None:
    runtime = replace(runtime, settings=replace(runtime.settings, alert_evaluation_day=5, **thresholds))
    with runtime.sessions.begin() as session:
        store(session, country)
    run_due_evaluation(runtime, AS_OF)
    with runtime.sessions.begin() as session:
        apply(session, country, changes)
        session.execute(delete(AlertEvaluation))  # the month is due again
    today = AS_OF + timedelta(days=changes.days_later)
    expected = _evaluated_from_scratch(runtime, today)
    with runtime.sessions() as session:
        before = set(session.scalars(select(Alert.id)))
    run_due_evaluation(runtime, today)
    with runtime.sessions() as session:
        raised = {_key(a): normal(a.detail) for a in session.scalars(select(Alert)) if a.id not in before}
    for kind in sorted({key[2] for key in expected}):
        hypothesis_event(f"raises {kind} again")
    for kind in KINDS:
        assert _of(raised, kind) == _of(expected, kind), kind


def _evaluated_from_scratch(runtime: Runtime, today: date) -> dict:
    """What an evaluation of every household and site raises now, in a transaction rolled back."""
    session = runtime.sessions()
    try:
        alerts = evaluate(session, runtime.bus, runtime.settings.topic_alerts, MONTH, today,
                          thresholds_from(runtime.settings))
        return {_key(a): normal(a.detail) for a in alerts}
    finally:
        session.rollback()
        session.close()


def _key(alert: Alert) -> tuple:
    return alert.subject_type, alert.subject_id, alert.kind, alert.month


def _of(alerts: dict, kind: str) -> dict:
    return {key: detail for key, detail in alerts.items() if key[2] == kind}


def apply(session, country: Country, changes: Changes) -> None:
    """Write the changes as the API and the consumers would (income through the consumers' `add_income`)."""
    for w, month, fen in changes.income:
        held = session.scalar(select(WorkerMonthIncome.income_fen).where(
            WorkerMonthIncome.worker_id == f"w{w}", WorkerMonthIncome.month == month)) or 0
        add_income(session, {(f"w{w}", month): fen or -held})
    for n, (status, size, fen) in enumerate(changes.households):
        session.add(Household(id=f"hx{n}", region_code="3607", size=size, status=status))
        session.flush()
        session.add(Worker(id=f"wx{n}", household_id=f"hx{n}", name=f"wx{n}"))
        session.flush()
        add_income(session, {(f"wx{n}", MONTH): fen})
    for n, size, from_month in changes.sizes:
        change_household(session, session.get(Household, f"hh{n}"), {"size": size, "size_from": from_month},
                         MONTHS[-1])
    _apply_work(session, changes)
    _apply_pay(session, changes)


def _apply_work(session, changes: Changes) -> None:
    for (w, s, day), status in changes.attendance.items():
        record = session.get(AttendanceRecord, (f"w{w}", f"s{s}", on(day)))
        if record is None:
            session.add(AttendanceRecord(worker_id=f"w{w}", site_id=f"s{s}", work_date=on(day),
                                         event_id=f"ex{w}-{s}-{day}", recorded_at="2026-06-06T00:00:00.000000Z",
                                         status=status))
        else:
            record.status = status
    session.add_all(OutputRecord(event_id=f"ox{n}", worker_id=f"w{w}", site_id=f"s{s}", work_date=on(day),
                                 product="basket", grade="A", quantity=quantity)
                    for n, (w, s, day, quantity) in enumerate(changes.outputs))
    for n in changes.voids:
        session.execute(update(OutputRecord).where(OutputRecord.event_id == f"o{n}").values(voided_by=f"vx{n}"))
    session.add_all(Assignment(id=f"ax{n}", worker_id=f"w{w}", site_id=f"s{s}", start_date=on(start),
                               end_date=None if end is None else on(end), scheme={"kind": "daily", "day_rate_fen": 1})
                    for n, (w, s, start, end) in enumerate(changes.assignments))
    session.flush()


def _apply_pay(session, changes: Changes) -> None:
    session.add_all(PeriodTransition(site_id=f"s{s}", month=month, from_status="closed", to_status="approved",
                                     actor_token_id="t", actor_role="admin", at=approved_at(month, offset))
                    for s, month, offset in changes.approvals)
    for s, month, w, fen in changes.approved_pay:
        pay = session.get(ApprovedPay, (f"s{s}", month, f"w{w}"))
        if pay is None:
            session.add(ApprovedPay(site_id=f"s{s}", month=month, worker_id=f"w{w}", wages_fen=fen, adjustments_fen=0,
                                    amount_fen=fen))
        else:
            pay.amount_fen += fen
        session.flush()
    for s, month, w, fen, status in changes.payments:
        batch = PaymentBatch(site_id=f"s{s}", month=month, created_by="t")
        session.add(batch)
        session.flush()
        session.add(PaymentLine(batch_id=batch.id, site_id=f"s{s}", month=month, worker_id=f"w{w}",
                                worker_name=f"w{w}", amount_fen=fen, status=status))
    session.flush()
    lines = session.scalars(select(PaymentLine).order_by(PaymentLine.id)).all()
    for rank in changes.confirmed:
        if lines:
            lines[rank % len(lines)].status = "confirmed"


def clear(runtime: Runtime) -> None:
    """Empty the tables for the next example; the change clock only moves on, the audit log only grows."""
    with runtime.sessions.begin() as session:
        for table in [event_log, *reversed(Base.metadata.sorted_tables)]:
            if table not in (ChangeClock.__table__, AuditEntry.__table__):
                session.execute(delete(table))


RULE_TABLES = ("worker_month_income", "attendance_records", "approved_pay")


def statements_reading_again(runtime: Runtime, today: date) -> Counter:
    """Evaluate May by schedule (one household or site a chunk: support/alert_chunks.py), raise a household's
    income and record a site's payment, evaluate May again as of `today`: how many statements of the second
    evaluation read each of the rules' largest tables."""
    run_due_evaluation(runtime, AS_OF)
    with runtime.sessions.begin() as session:
        add_income(session, {("w1", MONTH): 100})
        batch = PaymentBatch(site_id="s2", month="2026-04", created_by="t")
        session.add(batch)
        session.flush()
        session.add(PaymentLine(batch_id=batch.id, site_id="s2", month="2026-04", worker_id="w2", worker_name="w2",
                                amount_fen=1, status="confirmed"))
        session.execute(delete(AlertEvaluation))
    reads: Counter = Counter()

    def count(conn, cursor, statement, parameters, context, executemany):
        reads.update(table for table in RULE_TABLES if table in statement)

    event.listen(runtime.engine, "before_cursor_execute", count)
    try:
        run_due_evaluation(runtime, today)
    finally:
        event.remove(runtime.engine, "before_cursor_execute", count)
    return reads
