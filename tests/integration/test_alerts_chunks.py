"""On PostgreSQL, the scheduled evaluation commits chunk by chunk: one evaluator holds the cluster's lock
from its first chunk to its last, and one stopped after a chunk resumes at the next."""
from __future__ import annotations

import threading
import uuid
from collections import Counter

import pytest
from sqlalchemy import select
from support.alert_chunks import (
    TODAY,
    Interrupted,
    assert_each_alert_raised_published_and_queued_once,
    chunked_runtime,
    evaluate_interrupted_and_resumed,
    evaluation_of,
    spy_on_chunks,
)
from support.data_keys import TEST_DATA_KEY

import app.alerts.evaluation as alerting
import app.alerts.schedule as scheduler
from app.db.models import Alert
from app.migrate import upgrade_database
from app.runtime import build_runtime
from app.settings import Settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def chunked(postgres_server):
    """A database of its own per test: the scheduled evaluation commits."""
    url = postgres_server.create_database(f"t_chunks_{uuid.uuid4().hex[:8]}")
    upgrade_database(url)
    runtime = chunked_runtime(Settings(database_url=url, bus="embedded", log_level="WARNING", data_keys=TEST_DATA_KEY))
    yield runtime
    runtime.close()


def kinds_raised(runtime) -> Counter:
    with runtime.sessions() as session:
        return Counter(session.scalars(select(Alert.kind)))


def test_an_evaluation_interrupted_after_a_chunk_resumes_at_the_next_and_raises_each_alert_once(
        chunked, monkeypatch):
    evaluate_interrupted_and_resumed(chunked, monkeypatch, after=2)


def test_a_second_evaluator_skips_while_the_first_is_between_two_chunks(chunked, monkeypatch):
    other = build_runtime(chunked.settings)
    real, elsewhere, second = scheduler.evaluate_chunk_in_turn, [], threading.Lock()

    def evaluate_chunk_in_turn(runtime, evaluation, chunk, done, site_days, turn):
        # chunk 1 committed, chunk 2 not yet (the chunks after it wait for it)
        if runtime is chunked and done is not None and second.acquire(blocking=False):
            turn()
            before = evaluation_of(chunked)
            elsewhere.append((before, scheduler.run_due_evaluation(other, TODAY), evaluation_of(chunked)))
        return real(runtime, evaluation, chunk, done, site_days, turn)

    monkeypatch.setattr(scheduler, "evaluate_chunk_in_turn", evaluate_chunk_in_turn)
    chunks = spy_on_chunks(monkeypatch)
    try:
        raised = scheduler.run_due_evaluation(chunked, TODAY)
    finally:
        other.close()

    [(before, outcome, after)] = elsewhere
    assert outcome is None and before == after and before[0] == "running"  # it skipped and changed nothing
    assert len(chunks) == 6 and evaluation_of(chunked) == ("done", raised)  # no chunk evaluated twice


def test_two_evaluating_threads_share_the_chunks_take_up_a_failed_one_and_raise_each_alert_once(
        chunked, monkeypatch):
    """Chunks 1 and 2 in hand at once (each waits for the other to begin); chunk 3 fails while chunk 4 is in hand:
    1 and 2 commit, 4 is abandoned uncommitted, and the next check takes up 3 and evaluates the rest once."""
    assert chunked.settings.alert_evaluation_workers == 2
    first_two, fourth_begun = threading.Barrier(2, timeout=30), threading.Event()
    seen, lock, real = [], threading.Lock(), alerting.evaluate_chunk

    def evaluate_chunk(session, evaluation, chunk, site_days):
        with lock:
            seen.append(chunk)
            place = len(seen)
        if place <= 2:
            first_two.wait()  # broken, and the test failed, unless both are in hand together
        if (chunk.subjects, chunk.last) == ("household", None):  # the third
            assert fourth_begun.wait(30), "the fourth chunk was not taken while the third was in hand"
            raise Interrupted
        if (chunk.subjects, chunk.after) == ("site", None):
            fourth_begun.set()
        return real(session, evaluation, chunk, site_days)

    monkeypatch.setattr(scheduler, "evaluate_chunk", evaluate_chunk)
    with pytest.raises(Interrupted):
        scheduler.run_due_evaluation(chunked, TODAY)
    committed = kinds_raised(chunked)
    assert len(seen) == 4 and committed == {"below_line": 2, "projected_below_line": 2, "no_work": 2}
    assert evaluation_of(chunked) == ("running", sum(committed.values()))

    resumed = spy_on_chunks(monkeypatch)
    raised = scheduler.run_due_evaluation(chunked, TODAY)

    [third] = [chunk for chunk in seen if (chunk.subjects, chunk.last) == ("household", None)]
    assert third in resumed and len(set(resumed)) == len(resumed) == 4  # the third and the three sites, once each
    assert evaluation_of(chunked) == ("done", raised)
    assert_each_alert_raised_published_and_queued_once(chunked)
