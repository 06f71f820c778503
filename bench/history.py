"""(history) flat with history: month 13 of a county with 12 months of its ledger stored, beside the same month
on an empty database, in the same run. For each database: a day of the county through the pipeline (Kafka, one
wage consumer), balance reads of random workers (in-process, one connection: the statement the API runs), the
rest of the month's wage lines made by SQL, then every site's month closed and approved (`move_periods`, one
process), then the month's scheduled alert evaluation (bench/evaluator.py). The history is made inside
PostgreSQL by set-based SQL: a work record a worker and day but Sundays, the wage lines of those days (a
monthly post's, one a month), the income the consumers keep of them, and each month approved and paid.

`--history-schema plain` migrates both databases to the revision before the partitions' (the ledger's tables plain),
to compare the two layouts on the same code while that migration is the newest.
"""
from __future__ import annotations

import random
import statistics
import sys
import time
import uuid
from datetime import date, timedelta

import psycopg
from sqlalchemy import create_engine

import payroll
from app.db.partitions import keep_months
from bench.alerts import EVALUATION_DAY, evaluate_in_child
from bench.country import Country
from bench.kafka_pipeline import create_topic, message_file, produce, run_pipeline
from bench.load import libpq, prepare_postgres
from bench.monthclose import run_close, synthetic_lines_sql
from bench.services import Services

PARTITIONS_REVISION = "0035"  # the migration that partitions the ledger by month
BALANCE_READS = 2000

# One month of work records (a worker and day, Sundays off) and their wage lines, made from the assignments.
_MONTH = """
INSERT INTO attendance_records (worker_id, site_id, work_date, event_id, recorded_at, status, minutes)
SELECT a.worker_id, a.site_id, d::date, a.worker_id || ':' || d::date, d::date || 'T10:00:00.000000Z',
       CASE WHEN (hashtext(a.worker_id || d::text) & 2147483647) %% 100 < 92 THEN 'present' ELSE 'absent' END,
       CASE WHEN a.scheme->>'kind' = 'hourly' THEN 480 END
FROM assignments a CROSS JOIN generate_series(%(first)s::date, %(last)s::date, '1 day') d
WHERE extract(dow FROM d) <> 0;
INSERT INTO wage_lines (assignment_id, worker_id, site_id, period, work_date, scheme, amount_fen, facts, updated_at)
SELECT a.id, a.worker_id, a.site_id, %(month)s, d::date, a.scheme->>'kind',
       CASE a.scheme->>'kind' WHEN 'hourly' THEN (a.scheme->>'rate_fen')::int * 8
            WHEN 'daily' THEN (a.scheme->>'day_rate_fen')::int ELSE 2000 + (abs(hashtext(a.id || d::text)) %% 4000) END,
       '{"status": "present", "minutes": 480}'::json, now()
FROM assignments a CROSS JOIN generate_series(%(first)s::date, %(last)s::date, '1 day') d
WHERE a.scheme->>'kind' <> 'monthly' AND extract(dow FROM d) <> 0
UNION ALL
SELECT a.id, a.worker_id, a.site_id, %(month)s, %(first)s::date, 'monthly', (a.scheme->>'stipend_fen')::int,
       '{"days": 20}'::json, now()
FROM assignments a WHERE a.scheme->>'kind' = 'monthly';
INSERT INTO worker_month_income (worker_id, month, income_fen)
SELECT worker_id, %(month)s, sum(amount_fen) FROM wage_lines WHERE period = %(month)s GROUP BY worker_id;
INSERT INTO approved_pay (site_id, month, worker_id, wages_fen, adjustments_fen, amount_fen)
SELECT site_id, %(month)s, worker_id, sum(amount_fen), 0, sum(amount_fen) FROM wage_lines WHERE period = %(month)s
GROUP BY site_id, worker_id;
INSERT INTO pay_periods (site_id, month, status, updated_at)
SELECT id, %(month)s, 'paid', now() FROM sites;
INSERT INTO period_transitions (site_id, month, from_status, to_status, actor_token_id, actor_role, at)
SELECT s.id, %(month)s, step.from_status, step.to_status, 'bench', 'admin', %(ends)s::timestamptz + step.after
FROM sites s CROSS JOIN (VALUES ('open', 'closed', interval '3 days'), ('closed', 'approved', interval '8 days'),
                                ('approved', 'paid', interval '9 days')) AS step(from_status, to_status, after);
INSERT INTO payment_batches (site_id, month, created_by, created_at)
SELECT site_id, month, 'bench', now() FROM approved_pay WHERE month = %(month)s GROUP BY site_id, month;
INSERT INTO payment_lines (batch_id, site_id, month, worker_id, worker_name, amount_fen, status)
SELECT b.id, p.site_id, p.month, p.worker_id, 'Worker ' || p.worker_id, p.amount_fen, 'confirmed'
FROM approved_pay p JOIN payment_batches b USING (site_id, month) WHERE p.month = %(month)s
"""


def month_bounds(month: str) -> tuple[date, date]:
    first = date.fromisoformat(f"{month}-01")
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def make_ledger_history(url: str, month: str) -> dict:
    """The 12 months before `month`, month by month; what was made and how long."""
    started = time.perf_counter()
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        for past in payroll.previous_months(month, 12):
            first, last = month_bounds(past)
            values = {"month": past, "first": first, "last": last, "ends": last + timedelta(days=1)}
            step = time.perf_counter()
            # the month as a literal: as a parameter PostgreSQL cannot tell its type where it is both text and varchar
            for statement in filter(str.strip, _MONTH.replace("%(month)s", f"'{past}'").split(";\n")):
                conn.execute(statement, values)
            print(f"  history: {past} in {time.perf_counter() - step:.1f}s", file=sys.stderr)
        conn.execute("VACUUM ANALYZE")
        rows = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("attendance_records", "wage_lines", "worker_month_income", "approved_pay")}
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return {"seconds": round(time.perf_counter() - started, 1), "rows": rows, "database_gib": round(size / 2**30, 2)}


def make_partitions(url: str, month: str) -> None:
    """The partitions of the 12 months before `month` and of `month`, as the consumers would have made them ahead
    month after month (none on plain tables)."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            keep_months(connection, date.fromisoformat(f"{payroll.previous_months(month, 12)[0]}-01"), ahead=12)
    finally:
        engine.dispose()


def review_seconds(url: str, month: str) -> dict:
    """Where a close's time goes: its review (app/review) of every site's month again, reading the facts (the
    month's and the two before) and running the rules, in a transaction rolled back."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from app.db.queries import chunks
    from app.pay.periods import REVIEW_CHUNK
    from app.review.facts import read_month_facts
    from app.review.raising import raise_flags

    engine = create_engine(url)
    try:
        with Session(engine) as session:
            sites = list(session.scalars(text("SELECT id FROM sites ORDER BY id")))
            started = time.perf_counter()
            records = 0
            for chunk in chunks(sites, REVIEW_CHUNK):
                facts = read_month_facts(session, month, chunk)
                records += sum(len(site.attendance) for site in facts.sites.values())
            read = time.perf_counter() - started
            started = time.perf_counter()
            for chunk in chunks(sites, REVIEW_CHUNK):
                raise_flags(session, month, chunk)
            whole = time.perf_counter() - started
            session.rollback()
    finally:
        engine.dispose()
    return {"read_seconds": read, "review_seconds": whole, "attendance_read": records}


def balance_reads(url: str, country: Country, reads: int = BALANCE_READS) -> dict:
    """`worker_balances` of random workers, one after another on one connection of the API's read engine (its
    statements prepared, as the API's are), warm: a first pass unmeasured."""
    from app.db import make_engine, make_read_engine
    from app.pay.balances import worker_balances

    engine = make_read_engine(make_engine(url))
    pick = random.Random(13)
    workers = [country.worker_id(pick.randrange(country.workers)) for _ in range(reads)]
    timings = []
    try:
        with engine.connect() as connection:
            for worker in workers[: reads // 4]:
                worker_balances(connection, worker)
            for worker in workers:
                started = time.perf_counter()
                worker_balances(connection, worker)
                timings.append((time.perf_counter() - started) * 1000)
    finally:
        engine.dispose()
    timings.sort()
    return {"reads": reads, "p50_ms": statistics.median(timings), "p99_ms": timings[int(len(timings) * 0.99) - 1]}


def run_history(services: Services, country: Country, schema: str = "partitioned") -> dict:
    month = country.first_day.strftime("%Y-%m")
    first, last = month_bounds(month)
    path, total = message_file(country, 1)
    out: dict = {"workers": country.workers, "sites": country.site_count(), "month": month, "schema": schema,
                 "events": total, "databases": {}}
    for label in ("empty", "history"):
        dbname = f"bench_history_{label}"
        started = time.perf_counter()
        url = prepare_postgres(services.postgres, dbname, country, quiet=True,
                               revision=_before_partitions() if schema == "plain" else "head")
        result: dict = {}
        make_partitions(url, month)
        if label == "history":
            result["history"] = make_ledger_history(url, month)
        result["setup_seconds"] = round(time.perf_counter() - started, 1)
        topic = f"history-{label}-{uuid.uuid4().hex[:6]}"
        create_topic(services.kafka.bootstrap, topic)
        produce(services.kafka.bootstrap, topic, path, total)
        pipeline = run_pipeline(services, country, topic, total, 1, f"history-{label}", url=url)
        result["ingest"] = {key: pipeline.get(key) for key in ("rate", "wall_rate", "steady_seconds", "cpu",
                                                               "processed_events", "complete")}
        result["balance"] = balance_reads(url, country)
        with psycopg.connect(libpq(url), autocommit=True) as conn:  # the rest of the month, as close reads it
            conn.execute(f"DELETE FROM wage_lines WHERE period = '{month}'")
            conn.execute(synthetic_lines_sql(first.isoformat(), last.isoformat(), month))
            conn.execute("ANALYZE wage_lines")
        result["close"] = run_close(url, month, 1)
        result["review"] = review_seconds(url, month)
        result["alerts"] = evaluate_in_child(url, last + timedelta(days=EVALUATION_DAY), f"history-{label}")
        out["databases"][label] = result
        services.postgres.drop_database(dbname)
    return out


def figures(r: dict) -> dict[str, tuple[float, float]]:
    """Each measured figure: (empty database, with history)."""
    empty, full = r["databases"]["empty"], r["databases"]["history"]
    def rate(db: dict) -> float:  # a day too small to be read in more than one batch has no steady rate
        return db["ingest"]["rate"] or db["ingest"]["wall_rate"]

    def close(db: dict) -> float:  # the close's and the approval's own work, not the process's start
        return db["close"]["close_seconds"] + db["close"]["approve_seconds"]

    return {"ingest, events/s": (rate(empty), rate(full)),
            "balance p99, ms": (empty["balance"]["p99_ms"], full["balance"]["p99_ms"]),
            "close and approve, s": (close(empty), close(full)),
            "alert evaluation, s": (empty["alerts"]["seconds"], full["alerts"]["seconds"])}


def _before_partitions() -> str:
    """The revision the partitions' migration revises: every table of the head, the ledger's plain."""
    from alembic.script import ScriptDirectory

    from app.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config("")).get_revision(PARTITIONS_REVISION).down_revision
