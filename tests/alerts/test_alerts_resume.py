"""The scheduled evaluation commits chunk by chunk and records the last one done: an evaluation stopped
after a chunk resumes at the next, the month counts as evaluated only once every chunk is done, and each
alert is raised, published and queued once (tests/integration holds the same on PostgreSQL)."""
from __future__ import annotations

import pytest
from support.alert_chunks import chunked_runtime, evaluate_interrupted_and_resumed

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
