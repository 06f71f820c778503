"""The wage consumer's loop: poll, process the batch in one transaction, commit, then the offsets.

A database failure rolls the batch back and rewinds to the committed offsets: nothing is
committed for unwritten work, and the redelivered messages are deduplicated by event id.
"""
from __future__ import annotations

import gc
import threading
import time

import psycopg
import structlog
from sqlalchemy.exc import DBAPIError, OperationalError

from app import metrics
from app.db.partitions import keep_months
from app.ledger.batch import BatchResult
from app.ledger.poison import apply_messages
from app.runtime import Runtime
from consumers.outage import BusHealth
from events.bus import BusUnavailable, Consumer

log = structlog.get_logger("consumers.wages")

# psycopg's own OperationalError: the writes that go through its COPY are not wrapped by SQLAlchemy.
_RETRYABLE = (OperationalError, DBAPIError, psycopg.OperationalError, BusUnavailable)


# Above the containers a batch holds, which reference counting frees when it ends, so that the collector does not
# walk a batch's live objects mid-batch; the few small cycles a batch leaves (SQLAlchemy's expressions) are collected
# by `consume_once` before each poll. gunicorn workers keep the default (gunicorn.conf.py), since a rarer collection
# walks more at once while a balance read waits behind it.
COLLECTOR_THRESHOLD = 100_000


def tune_garbage_collector() -> None:
    """Once a consumer has started: keep its start-up objects out of every collection, and collections out of
    its batches."""
    gc.freeze()
    gc.set_threshold(COLLECTOR_THRESHOLD, *gc.get_threshold()[1:])


def run_wage_consumer(runtime: Runtime, stop: threading.Event, until_idle: bool = False) -> None:
    """Consume until stopped (or, with `until_idle`, until a poll finds nothing more). No bus or database
    failure ends it: it retries with backoff, from the committed offsets, until they are back."""
    settings = runtime.settings
    health = BusHealth()
    consumer = _connect(runtime, stop, health)
    if consumer is None:
        return
    backoff = 0.5
    rewind = False  # a failed batch must be read again before anything else is
    watch = GroupWatch(settings.consumer_rejoin_after_s)
    months = MonthPartitions(runtime)
    log.info("consumer started", group=settings.consumer_group, bus=settings.bus)
    try:
        while not stop.is_set():
            try:
                months.keep()
                if rewind:
                    consumer.rewind()
                    rewind = False
                polled = consume_once(runtime, consumer)
                reading = keeping_up(consumer, polled)
                if not polled:
                    runtime.bus.ping()  # an empty poll is all a Kafka client says while its broker is gone
                health.reached()
                if polled:
                    backoff = 0.5
                elif until_idle:
                    break
                if watch.stuck(consumer, reading):
                    consumer = _start_over(runtime, stop, consumer, watch, health)
                    if consumer is None:
                        return
            except _RETRYABLE as error:
                if isinstance(error, BusUnavailable):
                    health.failed(error)
                else:
                    log.warning("batch failed; will retry from the committed offsets", error=str(error)[:500])
                rewind = True
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
    finally:
        if consumer is not None:
            _close(consumer)
        log.info("consumer stopped")


class MonthPartitions:
    """Makes the ledger's month partitions ahead of the events (app/db/partitions.py): as the consumer starts, then
    on the first loop of each day."""

    def __init__(self, runtime: Runtime):
        self.runtime, self.kept_on = runtime, None

    def keep(self) -> None:
        today = self.runtime.settings.today()
        if today == self.kept_on:
            return
        with self.runtime.engine.begin() as connection:
            made = keep_months(connection, today)
        if made:
            log.info("month partitions made", partitions=made)
        self.kept_on = today


class GroupWatch:
    """Tells when a consumer has not been reading for too long: out of its group, or in it but polling
    nothing while its partitions have messages waiting.

    kafka-python can wedge a member in a rebalance (elected leader, it never settles and silently polls
    nothing, so the wages of its partitions stop), and can leave a settled member polling nothing while
    its partitions have lag (docs/architecture.md). A join normally takes seconds and a poll with
    messages waiting returns some, so a consumer in either state for `limit_s` is closed and replaced;
    its uncommitted batch, if any, is redelivered and deduplicated."""

    def __init__(self, limit_s: float, clock=time.monotonic):
        self.limit_s, self.clock = limit_s, clock
        self.stuck_since: float | None = None

    def stuck(self, consumer: Consumer, keeping_up: bool = True) -> bool:
        """After each poll (`keeping_up`: it returned messages, or none were waiting)."""
        if consumer.settled() and keeping_up:
            self.stuck_since = None
            return False
        now = self.clock()
        if self.stuck_since is None:
            self.stuck_since = now
        return now - self.stuck_since >= self.limit_s

    def start_over(self) -> float:
        """Forget the stuck client (it is being replaced); how long it had been stuck, in s."""
        stuck_s = self.clock() - self.stuck_since if self.stuck_since is not None else 0.0
        self.stuck_since = None
        return stuck_s


def _start_over(runtime: Runtime, stop: threading.Event, consumer: Consumer, watch: GroupWatch,
                health: BusHealth) -> Consumer | None:
    log.error("consumer has not read for too long (unsettled, or polling nothing with messages waiting); "
              "starting over with a new client",
              group=runtime.settings.consumer_group, stuck_s=round(watch.start_over()))
    _close(consumer)
    return _connect(runtime, stop, health)


def consume_once(runtime: Runtime, consumer: Consumer) -> int:
    """Poll one batch and apply it; return how many messages it held."""
    settings = runtime.settings
    gc.collect(0)  # the last batch's cycles (see COLLECTOR_THRESHOLD)
    messages = consumer.poll(settings.consumer_batch_size, settings.consumer_poll_ms)
    if not messages:
        return 0  # the caller records the lag, which tells whether any were waiting
    result = apply_messages(runtime, messages)
    consumer.commit(messages)
    record(result, consumer)
    log.info("batch applied", messages=len(messages), applied=result.applied.total(),
             duplicates=result.duplicates.total(), dead_lettered=result.dead_lettered.total())
    return len(messages)


def keeping_up(consumer: Consumer, polled: int) -> bool:
    """Whether a poll that returned `polled` messages kept up: it returned some, or none were waiting. After a
    batch its lag is recorded already (`record`); after an empty poll this records it, one read for both."""
    return polled > 0 or not any(record_lag(consumer).values())


def record(result: BatchResult, consumer: Consumer) -> None:
    """Count what a committed batch did (never before the commit: a rolled-back batch did nothing)."""
    counts = (
        (metrics.EVENTS_CONSUMED, result.consumed),
        (metrics.EVENTS_APPLIED, result.applied),
        (metrics.EVENTS_DUPLICATE, result.duplicates),
        (metrics.DEAD_LETTERS, result.dead_lettered),
    )
    for counter, by_kind in counts:
        for kind, count in by_kind.items():
            counter.labels(kind).inc(count)
    record_lag(consumer)


def record_lag(consumer: Consumer) -> dict[tuple[str, int], int]:
    lags = consumer.lag()
    for (topic, partition), lag in lags.items():
        metrics.CONSUMER_LAG.labels(topic, str(partition)).set(lag)
    return lags


def _connect(runtime: Runtime, stop: threading.Event, health: BusHealth) -> Consumer | None:
    settings = runtime.settings
    while not stop.is_set():
        try:
            consumer = runtime.bus.consumer(settings.consumer_group, [settings.topic_work_events])
        except _RETRYABLE as error:  # the embedded bus is the database
            health.failed(error)
            stop.wait(2.0)
        else:
            health.reached()
            return consumer
    return None


def _close(consumer: Consumer) -> None:
    try:
        consumer.close()
    except BusUnavailable as error:
        log.warning("closing the consumer failed", error=str(error)[:500])
