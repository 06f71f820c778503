"""The scheduled evaluation commits chunk by chunk and records the last one done: an evaluation stopped
after a chunk resumes at the next, the month counts as evaluated only once every chunk is done, and each
alert is raised, published and queued once (tests/integration holds the same on PostgreSQL)."""
from __future__ import annotations

import threading

import pytest
from support.alert_chunks import (
    TODAY,
    alert_ids,
    assert_each_alert_raised_published_and_queued_once,
    chunked_runtime,
    evaluate_interrupted_and_resumed,
    evaluation_of,
)

import app.alerts.evaluation as alerting
import app.alerts.schedule as scheduler
from app.alerts.schedule import run_due_evaluation
from app.migrate import upgrade_database


@pytest.fixture
def chunked(settings):
    upgrade_database(settings.database_url)
    runtime = chunked_runtime(settings)
    yield runtime
    runtime.close()


@pytest.mark.parametrize("after", [1, 2, 4])  # within the households, at their end, within the sites
def test_an_evaluation_interrupted_after_a_chunk_resumes_at_the_next_and_raises_each_alert_once(
        chunked, monkeypatch, after):
    evaluate_interrupted_and_resumed(chunked, monkeypatch, after)


def test_an_evaluator_told_to_stop_stops_after_the_chunk_in_hand_and_the_next_check_resumes(chunked, monkeypatch):
    stop, real = threading.Event(), alerting.evaluate_chunk
    monkeypatch.setattr(scheduler, "evaluate_chunk", lambda *args: (stop.set(), real(*args))[1])

    assert run_due_evaluation(chunked, TODAY, stop) is None
    assert len(alert_ids(chunked)) == 3 and evaluation_of(chunked) == ("running", 3)  # hh0 and its worker's, committed

    monkeypatch.setattr(scheduler, "evaluate_chunk", real)
    assert run_due_evaluation(chunked, TODAY, threading.Event()) == len(alert_ids(chunked))
    assert_each_alert_raised_published_and_queued_once(chunked)
