"""The scheduled evaluation chunk by chunk, on SQLite and on PostgreSQL: a country of a few poor households
(each household and each site a chunk of its own), a spy on the chunks evaluated that may interrupt them,
and the check that each alert was raised, published and queued once."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import date

from sqlalchemy import select

import app.alerts.evaluation as alerting
import app.alerts.schedule as scheduler
from app.alerts.findings import SUBJECTS
from app.db.models import Alert, AlertEvaluation, Webhook, WebhookDelivery
from app.runtime import Runtime, build_runtime
from app.settings import Settings
from events.bus.log import event_log
from support.alert_world import AS_OF, MONTH, poor_country, store

HOUSEHOLDS = 3
TODAY = AS_OF  # May is due on 5 June


class Interrupted(Exception):
    """What the spy raises in place of a chunk: the evaluator stopping there."""


def chunked_runtime(settings: Settings) -> Runtime:
    """A runtime that evaluates one household or site a chunk, May being due today, on a country stored."""
    runtime = build_runtime(replace(settings, alert_evaluation_chunk=1, alert_evaluation_day=5,
                                    alert_no_work_days=2))
    with runtime.sessions.begin() as session:
        store(session, poor_country(HOUSEHOLDS))
    return runtime


def spy_on_chunks(monkeypatch, interrupt_after: int | None = None) -> list:
    """The chunks the scheduler evaluates from now on; the one after `interrupt_after` raises Interrupted."""
    seen = []

    def evaluate_chunk(session, evaluation, chunk, site_days):
        if len(seen) == interrupt_after:
            raise Interrupted
        seen.append(chunk)
        return alerting.evaluate_chunk(session, evaluation, chunk, site_days)

    monkeypatch.setattr(scheduler, "evaluate_chunk", evaluate_chunk)
    return seen


def evaluation_of(runtime: Runtime) -> tuple | None:
    with runtime.sessions() as session:
        row = session.get(AlertEvaluation, MONTH)
        return None if row is None else (row.status, row.raised)


def alert_ids(runtime: Runtime) -> set[str]:
    with runtime.sessions() as session:
        return set(session.scalars(select(Alert.id)))


def assert_each_alert_raised_published_and_queued_once(runtime: Runtime) -> None:
    with runtime.sessions() as session:
        alerts = session.execute(select(Alert.subject_type, Alert.subject_id, Alert.kind, Alert.id)).all()
        published = Counter(json.loads(value)["data"]["alert_id"] for value in session.scalars(
            select(event_log.c.value).where(event_log.c.topic == runtime.settings.topic_alerts)))
        webhooks = len(session.scalars(select(Webhook.id)).all())  # each covers every region
        queued = Counter(session.scalars(select(WebhookDelivery.alert_id)))
    kinds = Counter(kind for _, _, kind, _ in alerts)
    assert kinds == {"below_line": HOUSEHOLDS, "projected_below_line": HOUSEHOLDS, "no_work": HOUSEHOLDS,
                     "wage_arrears": HOUSEHOLDS}
    assert published == Counter({alert_id: 1 for *_, alert_id in alerts})
    assert queued == Counter({alert_id: webhooks for *_, alert_id in alerts})


def in_key_order(chunks: list) -> list:
    """Chunks in the order evaluated one at a time: several in hand at once may begin in another."""
    order = list(SUBJECTS)
    return sorted(chunks, key=lambda chunk: (order.index(chunk.subjects), chunk.last is None, chunk.last or ""))


def evaluate_interrupted_and_resumed(runtime: Runtime, monkeypatch, after: int) -> None:
    """Interrupt the scheduled evaluation after chunk `after`, run it again: it resumes at the next chunk."""
    first = spy_on_chunks(monkeypatch, interrupt_after=after)
    try:
        scheduler.run_due_evaluation(runtime, TODAY)
        raise AssertionError("the evaluation was not interrupted")
    except Interrupted:
        pass
    committed = alert_ids(runtime)
    assert len(first) == after and committed
    assert evaluation_of(runtime) == ("running", len(committed))  # not evaluated until every chunk is done

    second = spy_on_chunks(monkeypatch)
    raised = scheduler.run_due_evaluation(runtime, TODAY)

    last, resumed = in_key_order(first)[-1], in_key_order(second)[0]
    assert (resumed.subjects, resumed.after) == (last.subjects, last.last)
    assert len(set(first + second)) == len(first + second) == 2 * HOUSEHOLDS
    assert raised == len(alert_ids(runtime)) and committed < alert_ids(runtime)
    assert evaluation_of(runtime) == ("done", raised)
    assert_each_alert_raised_published_and_queued_once(runtime)
    assert scheduler.run_due_evaluation(runtime, date(2026, 6, 20)) is None
