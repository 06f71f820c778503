"""(d) month close: close and approve every site's month through the project's own code path
(`app.periods.move_period`, one transaction per move as the API does), which freezes each site's
month into `approved_pay`; timed, with the peak memory of each process, against a set-based
baseline (one INSERT ... SELECT ... GROUP BY over the same wage lines) in the same run.

Worker processes: `python -m bench.monthclose URL MONTH SHARE SHARES [--again]`.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

import psycopg

from bench.country import Country
from bench.load import copy_wage_lines, libpq, prepare_postgres
from bench.services import ROOT, Services

INDEX = "ix_wage_lines_site_period"  # added by migration 0005; the "as is" variant drops it to compare


def synthetic_lines_sql(month_start: str, month_end: str, period: str) -> str:
    """Wage lines made inside PostgreSQL (for sizes where generating them in Python would take too long):
    one line per assignment and day (hourly, daily, piece) or per month (monthly), plausible amounts."""
    return f"""
    INSERT INTO wage_lines (assignment_id, worker_id, site_id, period, work_date, scheme, amount_fen, facts, updated_at)
    SELECT a.id, a.worker_id, a.site_id, '{period}', d::date, a.scheme->>'kind',
           CASE a.scheme->>'kind' WHEN 'hourly' THEN (a.scheme->>'rate_fen')::int * 8
                                  WHEN 'daily' THEN (a.scheme->>'day_rate_fen')::int
                                  ELSE 2000 + (abs(hashtext(a.id || d::text)) % 4000) END,
           '{{"synthetic": true}}'::json, now()
    FROM assignments a CROSS JOIN generate_series('{month_start}'::date, '{month_end}'::date, '1 day') d
    WHERE a.scheme->>'kind' <> 'monthly'
    UNION ALL
    SELECT a.id, a.worker_id, a.site_id, '{period}', '{month_start}'::date, 'monthly',
           (a.scheme->>'stipend_fen')::int, '{{"synthetic": true}}'::json, now()
    FROM assignments a WHERE a.scheme->>'kind' = 'monthly'
    """


def prepare(services: Services, country: Country, dbname: str, lines: str = "python") -> tuple[str, int]:
    url = prepare_postgres(services.postgres, dbname, country, quiet=True)
    days = country.month_days()
    if lines == "python":
        count = copy_wage_lines(url, country.wage_lines(days))
    else:
        period = country.first_day.strftime("%Y-%m")
        last = country.first_day.replace(day=days)
        started = time.perf_counter()
        with psycopg.connect(libpq(url)) as conn:
            count = conn.execute(synthetic_lines_sql(country.first_day.isoformat(), last.isoformat(), period)).rowcount
            conn.commit()
            conn.execute("ANALYZE wage_lines")
        print(f"  {count:,} synthetic wage lines made in PostgreSQL in {time.perf_counter() - started:.1f}s",
              file=sys.stderr)
    return url, count


def set_based_baseline(url: str, month: str) -> dict:
    """The floor: one statement computing every (site, worker) total of the month into a scratch table."""
    with psycopg.connect(libpq(url)) as conn:
        conn.execute("CREATE TABLE floor_approved_pay (LIKE approved_pay INCLUDING ALL)")
        conn.commit()
        started = time.perf_counter()
        rows = conn.execute(
            "INSERT INTO floor_approved_pay (site_id, month, worker_id, wages_fen, adjustments_fen, amount_fen) "
            "SELECT site_id, period, worker_id, sum(amount_fen), 0, sum(amount_fen) FROM wage_lines "
            "WHERE period = %s GROUP BY site_id, period, worker_id", (month,)).rowcount
        conn.commit()
        seconds = time.perf_counter() - started
        conn.execute("DROP TABLE floor_approved_pay")
        conn.commit()
    return {"rows": rows, "seconds": seconds}


def run_close(url: str, month: str, processes: int, again: bool = False) -> dict:
    """Close and approve every site's month with `processes` worker processes (sites split between them)."""
    started = time.perf_counter()
    workers = [subprocess.Popen([sys.executable, "-m", "bench.monthclose", url, month, str(n), str(processes)]
                                + (["--again"] if again else []), cwd=ROOT, stdout=subprocess.PIPE, text=True)
               for n in range(processes)]
    results = []
    for worker in workers:
        out, _ = worker.communicate(timeout=7200)
        if worker.returncode:
            raise RuntimeError(f"month-close worker failed: {out[-2000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    seconds = time.perf_counter() - started
    with psycopg.connect(libpq(url)) as conn:
        approved, approved_fen = conn.execute(
            "SELECT count(*), coalesce(sum(amount_fen), 0) FROM approved_pay WHERE month = %s", (month,)).fetchone()
        wage_fen, = conn.execute("SELECT coalesce(sum(amount_fen), 0) FROM wage_lines WHERE period = %s",
                                 (month,)).fetchone()
        statuses = dict(conn.execute("SELECT status, count(*) FROM pay_periods WHERE month = %s GROUP BY status",
                                     (month,)).fetchall())
    return {"processes": processes, "seconds": seconds, "work_seconds": max(r["seconds"] for r in results),
            "sites": sum(r["sites"] for r in results),
            "conflicts": sum(r["conflicts"] for r in results),
            "peak_rss_mib": [r["peak_rss_mib"] for r in results], "approved_pay_rows": approved,
            "approved_fen": int(approved_fen), "wage_fen": int(wage_fen), "statuses": statuses,
            "consistent": int(approved_fen) == int(wage_fen)}


def run_month_close(services: Services, country: Country, processes: int = 2, lines: str = "python",
                    with_index: bool | None = None) -> dict:
    """The month close as is, and with the index it needs (`with_index`: None both, True/False one)."""
    month = country.first_day.strftime("%Y-%m")
    out = {"workers": country.workers, "lines_made_by": lines}
    variants = [False, True] if with_index is None else [with_index]
    for indexed in variants:
        dbname = f"bench_close_{country.workers}_{int(indexed)}"
        url, count = prepare(services, country, dbname, lines)
        out["wage_lines"] = count
        with psycopg.connect(libpq(url), autocommit=True) as conn:
            conn.execute(f"DROP INDEX IF EXISTS {INDEX}")
            if indexed:  # built again after the load, to time it
                started = time.perf_counter()
                conn.execute(f"CREATE INDEX {INDEX} ON wage_lines (site_id, period)")
                out["index_build_seconds"] = time.perf_counter() - started
        key = "indexed" if indexed else "as_is"
        out["baseline_set_based"] = set_based_baseline(url, month)
        print(f"  month close ({key}, {processes} processes) ...", file=sys.stderr)
        first = run_close(url, month, processes)
        second = run_close(url, month, processes, again=True)
        second["unchanged"] = (second["approved_pay_rows"], second["approved_fen"]) == (
            first["approved_pay_rows"], first["approved_fen"])
        out[key] = {"first": first, "second": second}
        services.postgres.drop_database(dbname)
    return out


def _worker(url: str, month: str, share: int, shares: int, again: bool) -> None:
    """One process's share of the sites: close, then approve, each in its own transaction (as the API)."""
    import os

    os.environ["DATABASE_URL"] = url
    from sqlalchemy import select

    from app.db.models import Site
    from app.periods import Actor, PeriodConflict, move_period
    from app.runtime import build_runtime
    from app.settings import Settings

    runtime = build_runtime(Settings.from_env())
    actor = Actor("bench-month-close", "admin")
    with runtime.sessions() as session:
        sites = [s for n, s in enumerate(session.scalars(select(Site.id).order_by(Site.id))) if n % shares == share]
    conflicts = 0
    started = time.perf_counter()
    for site in sites:
        for action in ("close", "approve"):
            try:
                with runtime.sessions.begin() as session:
                    move_period(session, site, month, action, actor)
            except PeriodConflict:
                conflicts += 1
    seconds = time.perf_counter() - started
    runtime.close()
    print(json.dumps({"sites": len(sites), "conflicts": conflicts, "seconds": seconds, "again": again,
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    _worker(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), "--again" in sys.argv)
