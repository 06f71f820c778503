"""On PostgreSQL, the scheduled evaluation commits chunk by chunk: one evaluator holds the cluster's lock
from its first chunk to its last, and one stopped after a chunk resumes at the next."""
from __future__ import annotations

import uuid

import pytest
from support.alert_chunks import (
    TODAY,
    chunked_runtime,
    evaluate_interrupted_and_resumed,
    evaluation_of,
    spy_on_chunks,
)
from support.data_keys import TEST_DATA_KEY

import app.alerts.schedule as scheduler
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


def test_an_evaluation_interrupted_after_a_chunk_resumes_at_the_next_and_raises_each_alert_once(
        chunked, monkeypatch):
    evaluate_interrupted_and_resumed(chunked, monkeypatch, after=2)


def test_a_second_evaluator_skips_while_the_first_is_between_two_chunks(chunked, monkeypatch):
    other = build_runtime(chunked.settings)
    real, elsewhere = scheduler.evaluate_next_chunk, []

    def evaluate_next_chunk(runtime, evaluation, done, site_days):
        if runtime is chunked and done is not None and not elsewhere:  # chunk 1 committed, chunk 2 not begun
            before = evaluation_of(chunked)
            elsewhere.append((before, scheduler.run_due_evaluation(other, TODAY), evaluation_of(chunked)))
        return real(runtime, evaluation, done, site_days)

    monkeypatch.setattr(scheduler, "evaluate_next_chunk", evaluate_next_chunk)
    chunks = spy_on_chunks(monkeypatch)
    try:
        raised = scheduler.run_due_evaluation(chunked, TODAY)
    finally:
        other.close()

    [(before, outcome, after)] = elsewhere
    assert outcome is None and before == after and before[0] == "running"  # it skipped and changed nothing
    assert len(chunks) == 6 and evaluation_of(chunked) == ("done", raised)  # no chunk evaluated twice
