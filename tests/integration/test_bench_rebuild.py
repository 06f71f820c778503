"""The rebuild bench's comparison on PostgreSQL: it finds a row that differs and a row too many in a column it
compares, and ignores the columns that only say when and in what order a row was written."""
from __future__ import annotations

import psycopg
from sqlalchemy import insert, update

from app.db.models import PendingVoid
from bench.load import libpq
from bench.rebuild import compare, snapshot


def test_the_comparison_counts_rows_missing_and_extra_and_ignores_the_time_of_writing(pg_runtime, pg_url):
    void = {"output_id": "o1", "worker_id": "w1", "site_id": "s1", "status": "pending"}
    with pg_runtime.engine.begin() as connection:
        connection.execute(insert(PendingVoid), [{**void, "event_id": f"v{n}"} for n in (1, 2)])
    snapshot(pg_url)
    assert not any(t["missing"] or t["extra"] for t in compare(pg_url).values())

    with psycopg.connect(libpq(pg_url)) as conn:  # written again as a rebuild would: new ids, new times
        conn.execute("UPDATE pending_voids SET id = id + 100, received_at = now() + interval '1 hour'")
    assert compare(pg_url)["pending_voids"] == {"live": 2, "rebuilt": 2, "missing": 0, "extra": 0}

    with pg_runtime.engine.begin() as connection:
        connection.execute(update(PendingVoid).where(PendingVoid.event_id == "v2").values(status="applied"))
        connection.execute(insert(PendingVoid), [{**void, "event_id": "v3"}])
    assert compare(pg_url)["pending_voids"] == {"live": 2, "rebuilt": 3, "missing": 1, "extra": 2}
