"""The monthly alert evaluation by schedule, which the alerts process (`python -m consumers alerts`) runs a
configurable number of days after each month ends. Each month is evaluated by schedule once, chunk by chunk
(app/alerts/evaluation.py), each chunk committed with the month's record of the last chunk done: an evaluator
that dies mid-way leaves its chunks done, and the next one resumes after them. On PostgreSQL one
evaluator at a time across the cluster holds a session advisory lock, on a connection of its own, from
its first chunk to its last, and the others skip and check again later; SQLite has one writer at a time,
and a chunk is recorded only after the chunk before it, so two evaluators never raise one twice. A month
evaluated again (its record removed) reads only what changed since its last complete evaluation
(app/alerts/baseline.py)."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, timedelta

import structlog
from sqlalchemy import Engine, text, update
from sqlalchemy.exc import IntegrityError

from app.alerts.baseline import changed_since_baseline, record_baseline
from app.alerts.evaluation import Evaluation, alert_messages, evaluate_chunk, site_days_of, thresholds_from
from app.alerts.findings import Chunk, Done, next_chunk, site_parts
from app.alerts.parallel import ChunkTurns, evaluate_in_turns
from app.db.models import AlertEvaluation
from app.db.stamps import take_watermark
from app.runtime import Runtime

log = structlog.get_logger("consumers.scheduler")  # the name operators filter the alerts process's lines by
EVALUATOR_LOCK = 7_310_202  # arbitrary constant naming "evaluating the alert rules by schedule"


class Overtaken(Exception):
    """Another evaluator recorded the chunk first: this one's chunk is rolled back and it stops."""


def due_month(today: date, evaluation_day: int) -> str | None:
    """The finished month whose evaluation is due on `today`, if any: the previous month once
    `evaluation_day` days have passed since it ended."""
    last_month_end = today.replace(day=1) - timedelta(days=1)
    if today < last_month_end + timedelta(days=evaluation_day):
        return None
    return last_month_end.strftime("%Y-%m")


def run_due_evaluation(runtime: Runtime, today: date, stop: threading.Event | None = None) -> int | None:
    """Evaluate the due month, or the rest of it, unless it already was; return how many alerts it raised.
    With `stop` set it stops after the chunk in hand (None), the rest left to the next check."""
    month = due_month(today, runtime.settings.alert_evaluation_day)
    if month is None:
        return None
    with evaluator_lock(runtime.engine) as held:
        if not held:
            log.info("alerts evaluated elsewhere now; will check again", month=month)
            return None
        started = _start(runtime, month, today)
        if started is None:
            return None
        evaluation, done = started
        site_days = _site_days(runtime, evaluation)
        if done is not None:
            log.info("alerts evaluation resumed", month=month, after=list(done))
        turns = ChunkTurns(done, lambda before: _next_chunk(runtime, evaluation, before), stop)
        try:
            evaluate_in_turns(turns, lambda chunk, before, turn: evaluate_chunk_in_turn(
                runtime, evaluation, chunk, before, site_days, turn), evaluators(runtime))
        except Overtaken:
            return None
        if not turns.complete:
            log.info("alerts evaluation paused", month=month, after=turns.done and list(turns.done))
            return None
    with runtime.sessions() as session:
        raised = session.get(AlertEvaluation, month).raised
    log.info("alerts evaluated", month=month, as_of=evaluation.as_of.isoformat(), raised=raised)
    return raised


@contextmanager
def evaluator_lock(engine: Engine) -> Iterator[bool]:
    """Whether this process is the one evaluator: on PostgreSQL it holds a session lock on a connection of
    its own, across the chunks' transactions, until the end, or until the server ends the connection of a
    process killed. The connection stays out of any transaction meanwhile, so it holds no snapshot."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        held = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": EVALUATOR_LOCK}))
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": EVALUATOR_LOCK})


def _start(runtime: Runtime, month: str, today: date) -> tuple[Evaluation, Done] | None:
    """The month's evaluation (new, or stopped part-way: then as of its first day), for the subjects changed
    since the month's baseline, and the last chunk done; None if the month is done."""
    settings = runtime.settings
    try:
        with runtime.sessions.begin() as session:
            record = session.get(AlertEvaluation, month)
            if record is None:
                # the watermark before anything is read: the baseline this evaluation leaves stands on it
                record = AlertEvaluation(month=month, as_of=today.isoformat(), trigger="schedule", raised=0,
                                         status="running", stamp=take_watermark(session.connection()))
                session.add(record)
                session.flush()
            elif record.status == "done":
                return None
            as_of, thresholds = date.fromisoformat(record.as_of), thresholds_from(settings)
            evaluation = Evaluation(month, as_of, thresholds, size=settings.alert_evaluation_chunk,
                                    changed=changed_since_baseline(session, month, as_of, thresholds))
            done = None if record.done_subjects is None else (record.done_subjects, record.done_through)
            return evaluation, done
    except IntegrityError:
        return None  # another evaluator (on SQLite) began the month at the same moment


def _site_days(runtime: Runtime, evaluation: Evaluation) -> dict:
    """The sites' recorded days (`site_days_of`), read in as many key ranges of the sites at once as the
    evaluation has threads: a walk down each site's days that would otherwise keep one core busy."""
    threads = evaluators(runtime)
    with runtime.sessions() as session:
        parts = site_parts(session, threads) if threads > 1 else [None]

    def read(part: Chunk | None) -> dict:
        with runtime.sessions() as session:
            return site_days_of(session, evaluation, part)

    if len(parts) == 1:
        return read(parts[0])
    with ThreadPoolExecutor(len(parts), thread_name_prefix="alerts-site-days") as pool:
        return {site: days for found in pool.map(read, parts) for site, days in found.items()}


def evaluators(runtime: Runtime) -> int:
    """How many chunks an evaluation has in hand at once: SQLite has one writer, so one there."""
    return runtime.settings.alert_evaluation_workers if runtime.engine.dialect.name == "postgresql" else 1


def _next_chunk(runtime: Runtime, evaluation: Evaluation, done: Done) -> Chunk:
    with runtime.sessions() as session:
        return next_chunk(session, done, evaluation.within, evaluation.size, evaluation.changed)


def evaluate_chunk_in_turn(runtime: Runtime, evaluation: Evaluation, chunk: Chunk, done: Done, site_days: dict,
                           turn: Callable[[], None]) -> None:
    """Evaluate `chunk`, the one after `done`, and once `turn` returns (the chunks before it committed) record it
    done, in one transaction; the month is done with its last chunk. Raises Overtaken if another evaluator
    recorded a chunk after `done` meanwhile."""
    with runtime.sessions.begin() as session:
        raised = evaluate_chunk(session, evaluation, chunk, site_days)
        messages = alert_messages(runtime.settings.topic_alerts, raised)
        turn()
        # after the turn: the embedded log takes a lock until commit, so that its order is the commits'
        runtime.bus.stage(session, messages)
        before = done or (None, None)
        recorded = session.execute(
            update(AlertEvaluation)
            .where(AlertEvaluation.month == evaluation.month, AlertEvaluation.status == "running",
                   AlertEvaluation.done_subjects.is_not_distinct_from(before[0]),
                   AlertEvaluation.done_through.is_not_distinct_from(before[1]))
            .values(done_subjects=chunk.subjects, done_through=chunk.last, raised=AlertEvaluation.raised + len(raised),
                    status="done" if chunk.is_last else "running"))
        if recorded.rowcount != 1:
            raise Overtaken
        stamp = session.get(AlertEvaluation, evaluation.month).stamp if chunk.is_last else None
        if stamp is not None:  # None: begun before stamps were kept
            record_baseline(session, evaluation.month, evaluation.as_of, evaluation.thresholds, stamp)
