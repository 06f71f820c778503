"""`bin/bench --only returns [--returns-labourers N]`: a province's return-to-work statistics as of a day, on
PostgreSQL. One province of the synthetic country (bench/country.py, villages of 500 labourers), each labourer
with a status history (away at the end of last year, most back home in the spring, some at work again), a
profile, the baseline of each county, and referrals and hires; then `return_to_work` for the province as of a
day, `--repeat` times (wall time p50 and p99), and beside it the floors measured in the same run: a bare sum of
the counts kept the figures read (the province's counties' weeks before the day's), and a bare count of the
history rows counting from the changes would read (the province's labourers' changes effective by the day)."""
from __future__ import annotations

import statistics
import time
from datetime import UTC, date, datetime, timedelta

import psycopg
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from bench.country import Country, mix
from bench.load import copy_rows, libpq, prepare_postgres

AS_OF = date(2026, 4, 15)
FLOOR = """SELECT count(*) FROM labour_status_changes WHERE effective_date <= :day AND worker_id IN (
    SELECT workers.id FROM workers JOIN households ON households.id = workers.household_id
    JOIN regions ON regions.code = households.region_code WHERE regions.path LIKE :path)"""
COUNTS_FLOOR = """SELECT status, willing, sum(change) FROM labour_status_weeks WHERE week < :monday AND region_code IN (
    SELECT code FROM regions WHERE path LIKE :path AND level = 'county') GROUP BY status, willing"""
CHANGE_COLUMNS = ("event_id", "worker_id", "status", "effective_date", "until", "recorded_at")
PROFILE_COLUMNS = ("worker_id", "skills", "tags", "max_physical_demand", "travel_range", "caregiving",
                   "willing_to_go_out", "preferred_kinds", "updated_at")
NOW = datetime(2026, 4, 1, tzinfo=UTC)


def run_return_to_work(services, labourers: int, repeat: int) -> dict:
    country = Country(labourers, village_size=500)
    url = prepare_postgres(services.postgres, "bench_returns", country, quiet=True)
    loaded = time.perf_counter()
    changes = load_jobs(url, country)
    out = {"labourers": labourers, "changes": changes, "load_seconds": round(time.perf_counter() - loaded, 1)}
    engine = create_engine(url)
    with Session(engine) as session:
        out.update(measure(session, repeat))
    engine.dispose()
    services.postgres.drop_database("bench_returns")
    return out


def _history(country: Country, i: int) -> list[tuple[str, date]]:
    """Away at the end of last year (7 in 10), home in February or March, half of those at work again by April."""
    r = mix(country.seed, 7, i)
    if r % 10 >= 7:
        return [("idle", date(2025, 12, 31))]
    home = date(2026, 2, 1) + timedelta(days=(r >> 4) % 50)
    history = [("working_away", date(2025, 12, 31)), ("returned", home)]
    if (r >> 12) % 2:
        history.append(("working_local" if (r >> 13) % 3 else "working_away", home + timedelta(days=(r >> 16) % 60)))
    return history


def load_jobs(url: str, country: Country) -> int:
    """COPY the labourers' histories and profiles, and the counties' baselines; then count the histories."""
    def changes():
        for i in range(country.workers):
            for k, (status, day) in enumerate(_history(country, i)):
                yield {"event_id": f"s{i:08d}-{k}", "worker_id": country.worker_id(i), "status": status,
                       "effective_date": day, "until": None, "recorded_at": f"{day}T08:00:00.000000Z"}

    def profiles():
        for i in range(country.workers):
            yield {"worker_id": country.worker_id(i), "skills": "[]", "tags": "[]", "max_physical_demand": "heavy",
                   "travel_range": "county", "caregiving": "[]", "willing_to_go_out": mix(country.seed, 8, i) % 3 == 0,
                   "preferred_kinds": "[]", "updated_at": NOW}

    with psycopg.connect(libpq(url)) as conn:
        count = copy_rows(conn, "labour_status_changes", CHANGE_COLUMNS, changes())
        copy_rows(conn, "labour_profiles", PROFILE_COLUMNS, profiles())
        conn.execute("""INSERT INTO labour_baselines (region_code, year, migrant_workers, source, recorded_at)
                        SELECT code, 2025, 7000, 'import', now() FROM regions WHERE level = 'county'""")
        conn.commit()
    from app.ledger.labour_counts import refill_labour_counts

    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        refill_labour_counts(session)  # as the migration counts the histories it finds
    engine.dispose()
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute("ANALYZE")
    return count


def measure(session: Session, repeat: int) -> dict:
    from app.db.models import Region
    from app.jobs.stats import return_to_work

    province = session.scalar(select(Region).where(Region.level == "province").order_by(Region.code).limit(1))
    times, floors, count_floors, figures = [], [], [], None
    for _ in range(repeat):
        started = time.perf_counter()
        figures = return_to_work(session, province, AS_OF)
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        read = session.scalar(text(FLOOR), {"day": AS_OF, "path": f"{province.path}%"})
        floors.append(time.perf_counter() - started)
        started = time.perf_counter()
        session.execute(text(COUNTS_FLOOR), {"monday": AS_OF - timedelta(days=AS_OF.weekday()),
                                             "path": f"{province.path}%"}).all()
        count_floors.append(time.perf_counter() - started)
        session.rollback()
    return {"as_of": AS_OF, "rows_read": read, "p50_ms": _ms(statistics.median(times)),
            "p99_ms": _ms(max(times) if len(times) < 100 else statistics.quantiles(times, n=100)[-1]),
            "floor_p50_ms": _ms(statistics.median(floors)), "counts_floor_p50_ms": _ms(statistics.median(count_floors)),
            "returned_to_work": figures.returned_to_work,
            "baseline": figures.baseline, "willing_to_go_out": figures.willing_to_go_out}


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)
