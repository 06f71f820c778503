"""`python -m bench.glance [--workers N] [--weeks 1,4,12] [--repeat R]`: the county at a glance at scale. One
county of the synthetic country (bench/country.py: 20,000 workers in 100 villages, 1,600 sites), its work
records for the weeks asked made by bench/alert_history.py, the weeks at work filled from them by the
migration's statement and the counts kept of them by their migration's (timed: the backfills), then
`county_glance` for the last 1, 4 and 12 weeks, each `--repeat` times in one session as a page would call it:
wall time p50 and p95, and beside it the floor, a bare count of the county's worker-days of the same range
(what a read of the records costs at least).
Prints one JSON object."""
from __future__ import annotations

import argparse
import importlib
import json
import statistics
import time
from datetime import timedelta

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from bench.alert_history import make_history
from bench.country import Country
from bench.load import libpq, prepare_postgres
from bench.services import Services

FLOOR = """SELECT count(*) FROM (
    SELECT worker_id, work_date FROM attendance_records WHERE work_date BETWEEN :first AND :last
        AND site_id IN (SELECT id FROM sites WHERE region_code LIKE :county)
    UNION ALL
    SELECT worker_id, work_date FROM output_records WHERE work_date BETWEEN :first AND :last
        AND site_id IN (SELECT id FROM sites WHERE region_code LIKE :county)) AS days"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=20_000)
    parser.add_argument("--weeks", default="1,4,12")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    weeks = [int(n) for n in args.weeks.split(",")]
    country = Country(args.workers)
    services = Services(kafka=False).start()
    try:
        url = prepare_postgres(services.postgres, "bench_glance", country, quiet=True)
        first = country.first_day - timedelta(days=country.first_day.weekday())
        last = first + timedelta(weeks=max(weeks), days=-1)
        out = {"workers": country.workers, "history": make_history(url, first, last), "runs": {}}
        out["backfill_seconds"] = backfill(url)
        out["counts_backfill_seconds"] = backfill_counts(url)
        engine = create_engine(url)
        with Session(engine) as session:
            out["runs"] = {n: glance_times(session, last - timedelta(weeks=n, days=-1), last, args.repeat)
                           for n in weeks}
        engine.dispose()
    finally:
        services.stop()
    print(json.dumps(out, indent=1, default=str))


def backfill(url: str) -> float | None:
    """The migration's fill of the weeks at work, where the code has the table (None where it has not)."""
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('site_week_workers')").fetchone()[0] is None:
            return None
        fill = importlib.import_module("migrations.versions.0013_site_week_workers")
        started = time.perf_counter()
        conn.execute("DELETE FROM site_week_workers")
        conn.execute(fill.FILL.format(monday=fill.MONDAY["postgresql"]))
        seconds = time.perf_counter() - started
        conn.execute("VACUUM ANALYZE site_week_workers")
    return round(seconds, 2)


def backfill_counts(url: str) -> float | None:
    """The migration's fill of the counts kept per area and week from the weeks at work, where the code has
    them (None where it has not)."""
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('area_weeks')").fetchone()[0] is None:
            return None
        fill = importlib.import_module("migrations.versions.0017_area_weeks")
        started = time.perf_counter()
        for table in ("area_weeks", "site_weeks", "area_week_workers"):
            conn.execute(f"DELETE FROM {table}")
        with conn.transaction():
            for statement in fill.FILL:
                conn.execute(statement)
        seconds = time.perf_counter() - started
        for table in ("area_weeks", "site_weeks", "area_week_workers"):
            conn.execute(f"VACUUM ANALYZE {table}")
    return round(seconds, 2)


def glance_times(session: Session, first, last, repeat: int) -> dict:
    from app.alerts.stats import county_glance
    from app.db.models import Region
    county = session.scalar(text("SELECT code FROM regions WHERE level = 'county' ORDER BY code LIMIT 1"))
    region = session.get(Region, county)
    glance, times, floors = None, [], []
    for _ in range(repeat):
        started = time.perf_counter()
        glance = county_glance(session, region, first, last)
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        days = session.scalar(text(FLOOR), {"first": first, "last": last, "county": f"{county}%"})
        floors.append(time.perf_counter() - started)
        session.rollback()
    return {"first": first, "last": last, "worker_days": days, "p50_ms": _ms(statistics.median(times)),
            "p95_ms": _ms(statistics.quantiles(times, n=20)[-1]), "floor_p50_ms": _ms(statistics.median(floors)),
            "workers_at_work": [w.workers_at_work for w in glance.total.weeks]}


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


if __name__ == "__main__":
    main()
