"""A wage consumer's batch looks up its keys by index on PostgreSQL: with a table of some 10^4 to 10^6 rows the
planner would read the whole table for a batch's couple of thousand keys, every batch."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from app.db.models import ProcessedEvent
from app.db.rows import insert_rows
from app.ledger import poison
from app.ledger.batch import BatchResult
from app.ledger.poison import apply_messages, look_up_keys_by_index

pytestmark = pytest.mark.postgres

LOOKUP = "EXPLAIN SELECT event_id, content_hash FROM processed_events WHERE event_id = ANY(:ids)"


@pytest.fixture(scope="module")
def processed_ids(pg_runtime) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(20_000)]
    with pg_runtime.sessions.begin() as session:
        insert_rows(session, ProcessedEvent.__table__, [{"event_id": i, "content_hash": "0" * 64} for i in ids])
    with pg_runtime.engine.connect() as connection:
        connection.execute(text("ANALYZE processed_events"))
        connection.commit()
    return ids


def _plan(session, ids: list[str]) -> str:
    return "\n".join(session.execute(text(LOOKUP), {"ids": sorted(ids[::10])}).scalars())


def test_a_batch_reads_its_keys_by_index_where_the_planner_would_read_the_table(pg_runtime, processed_ids):
    with pg_runtime.sessions.begin() as session:
        assert "Seq Scan on processed_events" in _plan(session, processed_ids)  # what the setting is for
        look_up_keys_by_index(session)
        plan = _plan(session, processed_ids)
    assert "Seq Scan" not in plan and "Index Scan" in plan, plan
    with pg_runtime.sessions.begin() as session:  # for the batch's transaction only
        assert "Seq Scan on processed_events" in _plan(session, processed_ids)


def test_the_consumer_applies_each_batch_with_it(pg_runtime, monkeypatch):
    seen = []

    def process_batch(session, *_args):
        seen.append(session.execute(text("SHOW enable_seqscan")).scalar())
        return BatchResult()

    monkeypatch.setattr(poison, "process_batch", process_batch)
    apply_messages(pg_runtime, [])
    assert seen == ["off"]
