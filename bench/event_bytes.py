"""Bytes per event on disk on PostgreSQL: every table an event touches (intake, outbox, dedupe, the ledger and the
audit log), indexes and TOAST included, beside two floors of the same run: the events' own bytes, and a bare COPY
of them into a one-column table. The events go through the product's own door (`accept_events`, in requests of
1,000), the relay (its broker a stub: the rows it leaves are the same) and the wage consumer's batches; then the
retention rule (app/ledger/retention.py) is applied as it would be once the outbox's hold, then the window, has
passed, and measured again.
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import psycopg

from app.ledger.intake import accept_events, parse_all
from app.ledger.retention import purge
from app.logs import configure_logging
from app.runtime import build_runtime
from app.settings import Settings
from bench.country import Country
from bench.load import libpq, prepare_postgres
from bench.services import Services
from consumers.loop import consume_once
from consumers.relay import relay_once
from events.bus import OutgoingMessage

STORES = {  # what each table is to an event
    "received_events": "intake", "event_log": "outbox", "processed_events": "dedupe",
    "attendance_records": "ledger", "output_records": "ledger", "wage_lines": "ledger",
    "worker_month_income": "ledger", "site_weeks": "ledger", "site_week_workers": "ledger", "area_weeks": "ledger",
    "area_week_workers": "ledger", "audit_log": "audit",
}
REQUEST = 1000  # events a POST /events carries at most (MAX_EVENTS_PER_REQUEST)


class _Broker:
    """A producer whose broker takes everything: what the relay leaves in the database is what it would leave."""

    def send(self, message: OutgoingMessage) -> None:
        pass

    def flush(self, timeout_s: float = 30.0) -> None:
        pass

    def close(self) -> None:
        pass


def run_event_bytes(services: Services, country: Country, days: int) -> dict:
    url = prepare_postgres(services.postgres, "bench_bytes", country, quiet=True)
    today = country.first_day + timedelta(days=days)
    settings = replace(Settings.from_env(), database_url=url, bus="embedded", log_level="WARNING", fixed_today=today)
    configure_logging("WARNING")  # the consumer's debug line an event would be most of the bench's output
    runtime = build_runtime(settings)
    values: list[bytes] = []
    try:
        started = time.monotonic()
        batch: list[dict] = []
        for _, value in country.messages(days):
            values.append(value)
            batch.append(json.loads(value))
            if len(batch) == REQUEST:
                _accept(runtime, batch, today)
                batch = []
        if batch:
            _accept(runtime, batch, today)
        while relay_once(runtime, _Broker()):
            pass
        consumer = runtime.bus.consumer(settings.consumer_group, [settings.topic_work_events])
        while consume_once(runtime, consumer):
            pass
        print(f"bytes: {len(values)} events in {time.monotonic() - started:.0f} s", file=sys.stderr)
        out = {"events": len(values), "floor": _floors(url, values)}
        out["kept"] = _sizes(url, len(values))  # nothing deleted: the layout of a store that keeps everything
        # The deployment's rule on Kafka, once the outbox's hold has passed, then the window.
        kafka = replace(settings, bus="kafka", retention_purge_batch=50_000)
        now = datetime.now(UTC)
        purge(runtime.sessions, kafka, now=now + timedelta(hours=kafka.outbox_keep_published_hours, minutes=1))
        out["after_hold"] = _sizes(url, len(values))
        purge(runtime.sessions, kafka, now=now + timedelta(days=kafka.event_retention_days, minutes=1))
        out["after_window"] = _sizes(url, len(values))
    finally:
        runtime.close()
        services.postgres.drop_database("bench_bytes")
    return out


def _accept(runtime, raw: list[dict], today) -> None:
    events, errors = parse_all(raw)
    with runtime.sessions.begin() as session:
        accept_events(session, runtime.bus, runtime.settings.topic_work_events, events, errors, today)


def _sizes(url: str, events: int) -> dict:
    """Bytes per event of each table (heap, indexes, TOAST) as their live rows take them: VACUUM FULL, as the
    space of dead and deleted rows goes to the rows that come after them in a store that runs for long."""
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute(f"VACUUM FULL ANALYZE {', '.join(STORES)}")
        rows = conn.execute(
            "SELECT relname, pg_table_size(oid), pg_indexes_size(oid), "
            "coalesce((SELECT count(*) FROM pg_index WHERE indrelid = c.oid), 0) "
            "FROM pg_class c WHERE relname = ANY(%s) AND relkind IN ('r', 'p')", (list(STORES),)).fetchall()
        counts = {name: conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name, *_ in rows}
    tables = {name: {"store": STORES[name], "rows": counts[name], "table_b": table / events,
                     "index_b": index / events, "indexes": n}
              for name, table, index, n in sorted(rows)}
    by_store: dict[str, float] = {}
    for t in tables.values():
        by_store[t["store"]] = by_store.get(t["store"], 0.0) + t["table_b"] + t["index_b"]
    return {"tables": tables, "stores": by_store,
            "pipeline_b": sum(by_store.get(s, 0.0) for s in ("intake", "outbox", "dedupe"))}


def _floors(url: str, values: list[bytes]) -> dict:
    """The events' own bytes, and a bare COPY of them (one bytea column: no key, no index) with its TOAST."""
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute("CREATE TABLE bytes_floor (value bytea)")
        with conn.cursor() as cursor, cursor.copy("COPY bytes_floor (value) FROM STDIN") as copy:
            for value in values:
                copy.write_row((value,))
        conn.execute("VACUUM ANALYZE bytes_floor")
        copied = conn.execute("SELECT pg_total_relation_size('bytes_floor')").fetchone()[0]
        conn.execute("DROP TABLE bytes_floor")
    return {"raw_b": sum(map(len, values)) / len(values), "copy_b": copied / len(values)}
