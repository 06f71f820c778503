"""A messy ledger for the rebuild tests, on any bus: the scenario's redeliveries, corrections and voids (some
before their outputs), March approved before a third of the facts arrive (adjustments), assignment changes,
messages redelivered on the bus itself, and messages that can never apply (dead letters)."""
from __future__ import annotations

import json
import uuid

from sqlalchemy import select

from app.ledger.rebuild import derived_rows
from events.bus import OutgoingMessage
from events.bus.log import event_log
from support.pipeline import post_in_batches
from support.scenario import SITES, build_scenario, register


def messy_ledger(api, checker, runtime, settle, ended: tuple[str, str] = ("as-ws-shoes-w5", "2026-04-30")) -> None:
    """Make it through the API and straight on the bus; `settle()` returns once the consumers applied all sent.
    The assignment `ended[0]` is given the end date `ended[1]` after a third of the facts are in."""
    scenario = build_scenario(seed=7)
    register(api, scenario)
    early, late = scenario.events[:len(scenario.events) * 2 // 3], scenario.events[len(scenario.events) * 2 // 3:]
    post_in_batches(api, early)
    settle()
    for site in SITES:
        assert api.post(f"/sites/{site['id']}/periods/2026-03/close", {}).status_code == 200
        approved = checker.post(f"/sites/{site['id']}/periods/2026-03/approve",
                                {"override": "the test approves its facts as they are"})
        assert approved.status_code == 200, approved.get_json()
    changed = [api.post("/assignments/as-ws-tea-w1/scheme",
                        {"from_date": "2026-03-20", "scheme": {"kind": "daily", "day_rate_fen": 15000}}),
               api.post(f"/assignments/{ended[0]}/end", {"end_date": ended[1]})]
    assert [response.status_code for response in changed] == [202, 202], [r.get_json() for r in changed]
    post_in_batches(api, late)
    producer = runtime.bus.producer()
    for message in _staged(runtime, 25):  # the same messages again, as a producer retrying would send them
        producer.send(message)
    producer.send(_work(runtime, "ghost", "ws-tea", "2026-04-02"))  # no such worker
    producer.send(_work(runtime, scenario.workers[0]["id"], "ws-shoes", "2030-01-02"))  # a day years ahead
    producer.flush()
    producer.close()
    settle()


def _staged(runtime, count: int) -> list[OutgoingMessage]:
    topic = runtime.settings.topic_work_events
    with runtime.engine.connect() as connection:
        rows = connection.execute(select(event_log.c.key, event_log.c.value, event_log.c.headers)
                                  .where(event_log.c.topic == topic).order_by(event_log.c.seq).limit(count))
        return [OutgoingMessage(topic, row.key, bytes(row.value), row.headers or {}) for row in rows]


def _work(runtime, worker: str, site: str, day: str) -> OutgoingMessage:
    event = {"specversion": "1.0", "id": str(uuid.uuid4()), "type": "attendance.recorded", "source": "test",
             "time": "2026-04-02T18:00:00+08:00",
             "data": {"worker_id": worker, "site_id": site, "date": day, "status": "present", "minutes": 480}}
    return OutgoingMessage(runtime.settings.topic_work_events, worker, json.dumps(event).encode())


def ledger(runtime) -> dict:
    """Every derived table's rows, but the columns saying when they were written."""
    with runtime.engine.connect() as connection:
        return derived_rows(connection)


def differences(before: dict, after: dict) -> dict:
    """Per table, the rows only before and only after (empty when the two ledgers are equal row for row)."""
    return {table: {"only_before": list((before[table] - after[table]).elements())[:5],
                    "only_after": list((after[table] - before[table]).elements())[:5]}
            for table in before if before[table] != after[table]}
