"""(h) matching at a province's scale: labourers and open vacancies made inside PostgreSQL by set-based SQL
(INSERT ... SELECT over generate_series, as bench/alert_history.py does), then one vacancy ranked against the
province's labourers and one labourer against its open vacancies, each many times, in this process through
app.jobs.matching on a read session, as the API calls it. Beside each, in the same run, its floor: the bare
indexed filter (the ring queries of the kept rows alone, without the candidates' details, the household's need
or the score). The kept rows are made as `flask rebuild` makes them, before VACUUM ANALYZE.

The province: 10 cities x 10 counties x 15 townships x 12 villages; two labourers a household; a fifth of the
households poor and a tenth monitored; 2% of households with an open income alert; 30% of labourers at work
(a tenth of them in part-time posts they were hired into); 12 months of income for one labourer in five.
Open vacancies mostly in villages, some in townships and counties, a tenth ended or full.
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date

import psycopg
from sqlalchemy import select

import payroll
from app.alerts.evaluation import thresholds_from
from app.db import make_engine, make_read_engine, make_read_session_factory
from app.db.models import Region, Vacancy
from app.jobs import matching
from app.jobs.match_rows import refill_match_rows
from app.migrate import upgrade_database
from app.settings import Settings
from bench.load import libpq
from bench.services import Services

AS_OF = date(2026, 12, 7)
MONTHS = [*payroll.previous_months("2026-11", 11), "2026-11"]  # the 12 finished months before AS_OF
SKILLS = ["sewing", "shoemaking", "electronics_assembly", "handicraft", "food_processing", "cooking", "cleaning",
          "security", "elderly_care", "childcare", "farming", "seedlings", "herbal_medicine", "livestock",
          "forestry", "construction", "masonry", "electrician", "welding", "driving", "logistics", "retail",
          "e_commerce", "machine_operation"]

_REGIONS = """
INSERT INTO regions (code, name, level, parent_code, path) VALUES ('36', 'Province', 'province', NULL, '/36/');
INSERT INTO regions SELECT '36' || lpad(n::text, 2, '0'), 'City ' || n, 'city', '36', '/36/36' || lpad(n::text, 2, '0')
  || '/' FROM generate_series(1, 10) n;
INSERT INTO regions SELECT p.code || lpad(n::text, 2, '0'), 'County', 'county', p.code, p.path || p.code
  || lpad(n::text, 2, '0') || '/' FROM regions p CROSS JOIN generate_series(1, 10) n WHERE p.level = 'city';
INSERT INTO regions SELECT p.code || lpad(n::text, 3, '0'), 'Township', 'township', p.code, p.path || p.code
  || lpad(n::text, 3, '0') || '/' FROM regions p CROSS JOIN generate_series(1, 15) n WHERE p.level = 'county';
INSERT INTO regions SELECT p.code || lpad(n::text, 3, '0'), 'Village', 'village', p.code, p.path || p.code
  || lpad(n::text, 3, '0') || '/' FROM regions p CROSS JOIN generate_series(1, 12) n WHERE p.level = 'township';
CREATE TABLE bench_villages AS SELECT code, path, (row_number() OVER (ORDER BY code) - 1)::int AS n
  FROM regions WHERE level = 'village';
CREATE TABLE bench_places AS SELECT code, path, level, (row_number() OVER (ORDER BY code) - 1)::int AS n
  FROM regions WHERE level IN ('county', 'township', 'village');
CREATE UNIQUE INDEX ON bench_villages (n);
CREATE UNIQUE INDEX ON bench_places (n);
"""

_PEOPLE = """
INSERT INTO households (id, region_code, size, status, created_at)
SELECT 'h' || i, v.code, 2 + i %% 4, CASE WHEN i %% 10 < 2 THEN 'poor' WHEN i %% 10 < 3 THEN 'monitored'
  ELSE 'other' END, now()
FROM generate_series(0, %(households)s - 1) i JOIN bench_villages v ON v.n = i %% %(villages)s;
INSERT INTO workers (id, household_id, name, created_at)
SELECT 'w' || i, 'h' || (i / 2), 'Labourer ' || i, now() FROM generate_series(0, %(labourers)s - 1) i;
INSERT INTO labour_profiles (worker_id, skills, tags, max_physical_demand, travel_range, caregiving,
  willing_to_go_out, preferred_kinds, updated_at)
SELECT 'w' || i, json_build_array((%(skills)s::text[])[1 + h %% 24], (%(skills)s::text[])[1 + (h / 24) %% 24]),
  '[]', (ARRAY['light', 'medium', 'heavy', 'heavy'])[1 + (h / 600) %% 4],
  (ARRAY['village', 'township', 'township', 'county', 'county', 'county', 'province', 'province', 'anywhere',
         'abroad'])[1 + (h / 2400) %% 10], '[]', h %% 3 = 0, '[]', now()
FROM generate_series(0, %(labourers)s - 1) i CROSS JOIN LATERAL (SELECT hashtext('p' || i) & 2147483647 AS h) x;
"""

_AT_WORK = """
INSERT INTO sites (id, kind, name, region_code, created_at)
SELECT 's' || code, 'workshop', 'Workshop ' || code, code, now() FROM regions WHERE level = 'county';
INSERT INTO labour_statuses (worker_id, status, effective_date, event_id, recorded_at, assignment_id)
SELECT 'w' || i, CASE WHEN h %% 2 = 0 THEN 'working_local' ELSE 'working_away' END, DATE '2026-03-01',
  'e' || i, '2026-03-01T00:00:00.000000Z', CASE WHEN h %% 10 = 0 THEN 'a' || i END
FROM generate_series(0, %(labourers)s - 1) i CROSS JOIN LATERAL (SELECT hashtext('s' || i) & 2147483647 AS h) x
WHERE h %% 100 < 30;
INSERT INTO alerts (id, kind, subject_type, subject_id, household_id, month, region_code, region_path, status,
  detail, created_at)
SELECT 'al' || h.id, 'below_line', 'household', h.id, h.id, '2026-11', v.code, v.path, 'open', '{}', now()
FROM households h JOIN bench_villages v ON v.code = h.region_code WHERE hashtext(h.id) & 2147483647 %% 100 < 2;
INSERT INTO worker_month_income (worker_id, month, income_fen)
SELECT 'w' || i, m, 150000 + (hashtext(i || m) & 2147483647) %% 300000
FROM generate_series(0, %(labourers)s - 1, 5) i CROSS JOIN unnest(%(months)s::text[]) m;
"""

_VACANCIES = """
INSERT INTO vacancies (id, site_id, region_code, office_region_code, title, count, hired, skills, physical_demand,
  scheme, full_time, start_date, end_date, housing, poor_first, status, posted_event_id, posted_at)
SELECT 'v' || i, 's' || substr(p.code, 1, 6), p.code, substr(p.code, 1, 6), 'Vacancy ' || i, 1 + h %% 10,
  CASE WHEN h %% 20 = 0 THEN 1 + h %% 10 ELSE 0 END,
  json_build_array((%(skills)s::text[])[1 + h %% 24]), (ARRAY['light', 'medium', 'heavy'])[1 + (h / 24) %% 3],
  json_build_object('kind', 'daily', 'day_rate_fen', 8000 + (h / 72) %% 12000), h %% 7 <> 0,
  DATE '2026-09-01' + (h %% 90), CASE WHEN h %% 4 = 0 THEN DATE '2026-09-01' + (h %% 90) + 30 + (h / 4) %% 120 END,
  h %% 5 = 0,
  h %% 3 = 0, CASE WHEN h %% 50 = 0 THEN 'filled' ELSE 'open' END, 'pv' || i, now()
FROM generate_series(0, %(vacancies)s - 1) i CROSS JOIN LATERAL (SELECT hashtext('v' || i) & 2147483647 AS h) x
CROSS JOIN LATERAL (SELECT CASE WHEN h %% 10 < 8 THEN (SELECT code FROM bench_villages WHERE n = h %% %(villages)s)
  ELSE (SELECT code FROM bench_places WHERE n = h %% %(places)s) END AS code) p;
"""

STEPS = {"regions": _REGIONS, "labourers": _PEOPLE, "at work, alerts, income": _AT_WORK, "vacancies": _VACANCIES}


def make_province(url: str, labourers: int, vacancies: int) -> dict:
    """Fill a migrated, empty database with the province; returns what was made and how long it took."""
    values = {"labourers": labourers, "households": -(-labourers // 2), "vacancies": vacancies, "skills": SKILLS,
              "months": MONTHS, "villages": 10 * 10 * 15 * 12, "places": 10 * 10 * (1 + 15 + 15 * 12)}
    seconds = {}
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        for name, script in STEPS.items():
            started = time.perf_counter()
            for statement in filter(str.strip, script.split(";\n")):
                conn.execute(statement, values)
            seconds[name] = round(time.perf_counter() - started, 1)
            print(f"  matching province: {name} in {seconds[name]}s", file=sys.stderr)
        seconds["matching rows"] = _refill(url)
        print(f"  matching province: matching rows in {seconds['matching rows']}s", file=sys.stderr)
        started = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        seconds["vacuum analyze"] = round(time.perf_counter() - started, 1)
        rows = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in (
            "regions", "households", "labour_profiles", "labour_statuses", "alerts", "worker_month_income",
            "vacancies", "match_labourers", "match_vacancies")}
        rows["open_vacancies"] = conn.execute("SELECT count(*) FROM vacancies WHERE status = 'open'").fetchone()[0]
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return {"seconds": seconds, "rows": rows, "database_gib": round(size / 2**30, 2)}


def _refill(url: str) -> float:
    """The kept rows of matching made from the tables, as `flask rebuild` makes them: two set-based statements."""
    engine = make_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        refill_match_rows(conn)
    engine.dispose()
    return round(time.perf_counter() - started, 1)


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"n": len(ordered), "p50_ms": round(cut[49] * 1000, 2), "p99_ms": round(cut[98] * 1000, 2),
            "max_ms": round(ordered[-1] * 1000, 2)}


def _timed(action, subjects: list) -> tuple[list[float], list[int]]:
    samples, sizes = [], []
    for subject in subjects:
        started = time.perf_counter()
        found = action(subject)
        samples.append(time.perf_counter() - started)
        sizes.append(found)
    return samples, sizes


def measure(url: str, requests: int, seed: int = 7) -> dict:
    """Rank `requests` random open vacancies and `requests` random labourers, each beside its floor, by turns."""
    settings = Settings(database_url=url)
    thresholds = thresholds_from(settings)
    engine = make_engine(url)
    readers = make_read_session_factory(make_read_engine(engine))
    chosen = random.Random(seed)
    with readers() as session:
        open_ids = sorted(session.scalars(select(Vacancy.id).where(Vacancy.status == "open")))
    vacancy_ids = chosen.sample(open_ids, min(requests, len(open_ids)))
    with psycopg.connect(libpq(url)) as conn:
        labourer_count = conn.execute("SELECT count(*) FROM labour_profiles").fetchone()[0]
    worker_ids = [f"w{chosen.randrange(labourer_count)}" for _ in range(requests)]
    out: dict = {}
    with readers() as session:
        vacancies = [session.get(Vacancy, id) for id in vacancy_ids]
        paths = {v.id: session.scalar(select(Region.path).where(Region.code == v.region_code)) for v in vacancies}

        def floor_vacancy(vacancy):
            return len(matching.candidate_labourers(session, vacancy, paths[vacancy.id], None, AS_OF))

        def rank_vacancy(vacancy):
            return len(matching.labourers_for(session, vacancy, AS_OF, thresholds).matches)

        labourers = [matching.labourer(session, id, AS_OF, thresholds) for id in worker_ids]
        free = [one for one in labourers if one is not None and not one.employed_full_time]

        def floor_labourer(worker_id):
            return len(matching.candidate_vacancies(session, free_by_id[worker_id], AS_OF))

        def rank_labourer(worker_id):
            seen = matching.labourer(session, worker_id, AS_OF, thresholds)
            return len(matching.vacancies_for(session, seen, AS_OF).matches)

        free_by_id = {one.id: one for one in free}
        for name, action, subjects in (("vacancy_floor", floor_vacancy, vacancies),
                                       ("vacancy", rank_vacancy, vacancies),
                                       ("labourer_floor", floor_labourer, list(free_by_id)),
                                       ("labourer", rank_labourer, list(free_by_id))):
            action(subjects[0])  # warm
            samples, sizes = _timed(action, subjects)
            out[name] = {**_percentiles(samples), "mean_ranked": round(statistics.mean(sizes), 1)}
    engine.dispose()
    return out


def run_matching(services: Services, labourers: int, vacancies: int, requests: int, repeat: int) -> dict:
    dbname = f"bench_matching_{labourers}"
    url = services.postgres.create_database(dbname)
    upgrade_database(url)
    started = time.perf_counter()
    province = make_province(url, labourers, vacancies)
    province["setup_seconds"] = round(time.perf_counter() - started, 1)
    out = {"labourers": labourers, "vacancies": vacancies, "province": province,
           "runs": [measure(url, requests, seed=n) for n in range(repeat)]}
    services.postgres.drop_database(dbname)
    return out
