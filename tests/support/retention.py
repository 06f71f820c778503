"""The retention rule's stories, told the same way on SQLite and on PostgreSQL (tests/pipeline/test_retention.py,
tests/integration/test_retention_pg.py): time passes by moving every recorded moment back."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, func, select, update

from app.db.models import DeadLetter, ProcessedEvent, ReceivedEvent
from app.ledger.rebuild import rebuild_derived
from app.ledger.retention import DEDUPE, INTAKE, Purged, horizon, purge
from events.bus.log import event_log
from support.pipeline import drain, earned, nonzero, post_in_batches, processed
from support.scenario import build_scenario, register

WINDOW_DAYS = 35  # the settings' default EVENT_RETENTION_DAYS
_TIMES = ((ReceivedEvent.__table__, "event_id", "received_at"), (ProcessedEvent.__table__, "event_id", "processed_at"),
          (event_log, "seq", "created_at"), (event_log, "seq", "published_at"))


def age(runtime, days: int) -> None:
    """As if everything recorded so far had happened `days` earlier (past the ORM: no audit entries)."""
    shift = timedelta(days=days)
    with runtime.sessions.begin() as session:
        connection = session.connection()
        for table, key, column in _TIMES:
            rows = connection.execute(select(table.c[key], table.c[column]).where(table.c[column].is_not(None))).all()
            if rows:
                connection.execute(update(table).where(table.c[key] == bindparam("k"))
                                   .values({column: bindparam("t")}),
                                   [{"k": k, "t": _aware(t) - shift} for k, t in rows])


def count(runtime, table) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(table))


def letters(runtime) -> Counter:
    """Parked dead letters by reason."""
    with runtime.sessions() as session:
        return Counter(session.scalars(select(DeadLetter.reason).where(DeadLetter.status == "parked")))


def redeliver_everything(runtime) -> None:
    runtime.bus.reset_offsets(runtime.settings.consumer_group, [runtime.settings.topic_work_events])
    drain(runtime)


def story_redeliveries(api, runtime) -> None:
    """Inside the window a redelivery is a no-op; after its key is purged it is parked, never applied again."""
    scenario = build_scenario(seed=7)
    register(api, scenario)
    post_in_batches(api, scenario.events)
    drain(runtime)
    paid = earned(api, scenario)
    assert paid == nonzero(scenario.expected)
    applied, logged = processed(runtime), count(runtime, event_log)
    assert applied == len(scenario.unique_events)

    age(runtime, WINDOW_DAYS - 1)
    assert purge(runtime.sessions, runtime.settings) == Purged()  # all of it inside the window
    redeliver_everything(runtime)
    assert earned(api, scenario) == paid and processed(runtime) == applied and letters(runtime) == Counter()

    age(runtime, 2)
    purged = purge(runtime.sessions, runtime.settings)
    assert purged == Purged(received=applied, processed=applied, published=0)  # the embedded log is the topic
    assert count(runtime, event_log) == logged and count(runtime, ProcessedEvent) == 0
    with runtime.sessions() as session:
        assert horizon(session, DEDUPE) is not None and horizon(session, INTAKE) is not None
    redeliver_everything(runtime)
    assert earned(api, scenario) == paid  # nothing applied twice
    expired = "taken in before the oldest dedupe key kept: it may have been applied already"
    assert letters(runtime) == Counter({expired: applied})

    retried = api.post("/events", {"events": scenario.unique_events[:3]})  # a phone that retries very late
    assert retried.status_code == 422
    assert all("older than the receipts kept" in item["time"][0]
               for item in retried.get_json()["errors"].values())
    assert earned(api, scenario) == paid


def story_fresh_events_and_rebuild(api, runtime) -> None:
    """After a purge a fresh event is taken in and applied, and a rebuild replays the whole log: the same pay."""
    scenario = build_scenario(seed=7)
    register(api, scenario)
    post_in_batches(api, scenario.events)
    drain(runtime)
    age(runtime, WINDOW_DAYS + 1)
    purge(runtime.sessions, runtime.settings)
    now = datetime.now(UTC).isoformat()
    fresh = {"specversion": "1.0", "id": "00000000-0000-4000-8000-00000000f00d", "type": "attendance.recorded",
             "source": "test", "time": now,
             "data": {"worker_id": "ws-shoes-w1", "site_id": "ws-shoes", "date": "2026-04-30", "status": "absent"}}
    assert api.post("/events", {"events": [fresh]}).status_code == 202
    assert api.post("/events", {"events": [fresh]}).get_json()["results"][0]["status"] == "duplicate"
    drain(runtime)
    assert processed(runtime) == 1 and letters(runtime) == Counter()
    paid = earned(api, scenario)

    rebuild_derived(runtime)
    with runtime.sessions() as session:
        assert horizon(session, DEDUPE) is None
    drain(runtime)
    assert earned(api, scenario) == paid  # the fresh event with the rest
    assert processed(runtime) == len(scenario.unique_events) + 1 and letters(runtime) == Counter()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
