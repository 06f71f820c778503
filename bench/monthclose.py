"""(d) month close: close and approve every site's month through the project's own code, which
freezes each site's month into `approved_pay`: the bulk path (`app.pay.periods.move_periods`, one call
per action, as `POST /periods/{month}/close` and `/approve` do) and, for comparison, the per-site
path (`app.pay.periods.move_period`, one transaction per site and action). Timed, with the peak memory
of each process, against a set-based baseline (one INSERT ... SELECT ... GROUP BY over the same wage
lines) in the same run; each variant is run twice, and the second run must change nothing.

Worker processes: `python -m bench.monthclose URL MONTH SHARE SHARES bulk|per_site [--again]`.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import threading
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


PATHS = ("bulk", "per_site")


def reset_periods(url: str, month: str) -> None:
    """Every site's month open again (no period rows), to time another variant on the same wage lines."""
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        for table in ("approved_pay", "period_transitions", "pay_periods"):
            conn.execute(f"DELETE FROM {table} WHERE month = %s", (month,))
        conn.execute("VACUUM ANALYZE approved_pay, period_transitions, pay_periods")


def run_close(url: str, month: str, processes: int, again: bool = False, path: str = "bulk") -> dict:
    """Close and approve every site's month with `processes` worker processes (sites split between them):
    `bulk`, one `move_periods` call per action and process; `per_site`, `move_period` site by site."""
    started = time.perf_counter()
    workers = [subprocess.Popen([sys.executable, "-m", "bench.monthclose", url, month, str(n), str(processes), path]
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
        transitions, = conn.execute("SELECT count(*) FROM period_transitions WHERE month = %s", (month,)).fetchone()
    return {"path": path, "processes": processes, "seconds": seconds,
            "work_seconds": max(r["seconds"] for r in results),
            "close_seconds": max(r.get("close_seconds", 0) for r in results),
            "approve_seconds": max(r.get("approve_seconds", 0) for r in results),
            "sites": sum(r["sites"] for r in results), "moved": sum(r["moved"] for r in results),
            "conflicts": sum(r["conflicts"] for r in results),
            "peak_rss_mib": [r["peak_rss_mib"] for r in results],
            "db_backend_peak_rss_mib": [r.get("db_backend_peak_rss_mib") for r in results],
            "db_backend_peak_private_mib": [r.get("db_backend_peak_private_mib") for r in results],
            "approved_pay_rows": approved, "approved_fen": int(approved_fen), "wage_fen": int(wage_fen),
            "statuses": statuses, "transitions": transitions, "consistent": int(approved_fen) == int(wage_fen)}


def run_month_close(services: Services, country: Country, processes: int = 2, lines: str = "python",
                    with_index: bool | None = True, paths: tuple[str, ...] = PATHS,
                    bulk_processes: tuple[int, ...] = (1, 2)) -> dict:
    """The month close on one database of wage lines: the bulk path with each of `bulk_processes`, and the
    per-site path with `processes` (with and without the index `with_index`: None both, True/False one);
    each variant closes and approves every site, then does it again (which must change nothing)."""
    month = country.first_day.strftime("%Y-%m")
    out: dict = {"workers": country.workers, "sites": country.site_count(), "lines_made_by": lines, "runs": {}}
    dbname = f"bench_close_{country.workers}"
    url, out["wage_lines"] = prepare(services, country, dbname, lines)
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute(f"DROP INDEX IF EXISTS {INDEX}")
        started = time.perf_counter()  # built again after the load, to time it
        conn.execute(f"CREATE INDEX {INDEX} ON wage_lines (site_id, period)")
        out["index_build_seconds"] = time.perf_counter() - started
        conn.execute("VACUUM ANALYZE wage_lines")
    out["baseline_set_based"] = set_based_baseline(url, month)
    variants = [("bulk", n, True) for n in bulk_processes if "bulk" in paths]
    if "per_site" in paths:
        variants += [("per_site", processes, indexed) for indexed in ([True, False] if with_index is None
                                                                       else [with_index])]
    for path, n, indexed in variants:
        key = f"{path}_{n}p" + ("" if indexed else "_as_is")
        key += f"_r{sum(k.startswith(key) for k in out['runs']) + 1}" if key in out["runs"] else ""  # 1,1,2
        if not indexed:
            with psycopg.connect(libpq(url), autocommit=True) as conn:
                conn.execute(f"DROP INDEX IF EXISTS {INDEX}")
        reset_periods(url, month)
        print(f"  month close ({key}) ...", file=sys.stderr)
        first = run_close(url, month, n, path=path)
        second = run_close(url, month, n, again=True, path=path)
        second["unchanged"] = (second["approved_pay_rows"], second["approved_fen"], second["transitions"]) == (
            first["approved_pay_rows"], first["approved_fen"], first["transitions"]) and second["moved"] == 0
        out["runs"][key] = {"first": first, "second": second}
        print(f"    {first['work_seconds']:.1f} s (close {first['close_seconds']:.1f} s, approve "
              f"{first['approve_seconds']:.1f} s); again {second['work_seconds']:.1f} s, "
              f"{'unchanged' if second['unchanged'] else 'CHANGED'}", file=sys.stderr)
    services.postgres.drop_database(dbname)
    return out


class BackendMemory:
    """The memory of this session's PostgreSQL backend while a statement runs, read from /proc (same host):
    the peak of its private memory (RssAnon, sampled every 20 ms), and its VmHWM, which also counts the
    pages of shared buffers it touched (shared with every backend, at most `shared_buffers`)."""

    def __init__(self, session):
        from sqlalchemy import text

        self.path = f"/proc/{session.scalar(text('SELECT pg_backend_pid()'))}/status"
        self.peak_private_mib = 0.0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _read(self, field: str) -> float | None:
        try:
            with open(self.path) as status:
                return next((int(line.split()[1]) / 1024 for line in status if line.startswith(field)), None)
        except OSError:
            return None

    def _sample(self) -> None:
        while not self.stopped.wait(0.02):
            self.peak_private_mib = max(self.peak_private_mib, self._read("RssAnon:") or 0.0)

    def __enter__(self) -> "BackendMemory":
        self.thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.stopped.set()
        self.thread.join()
        self.peak_mib = self._read("VmHWM:")


def _worker(url: str, month: str, share: int, shares: int, path: str, again: bool) -> None:
    """One process's share of the sites. `bulk`: one transaction to close them, one to approve them
    (as two API calls would). `per_site`: close, then approve, each in its own transaction (as the API)."""
    import os

    os.environ["DATABASE_URL"] = url
    from sqlalchemy import select

    from app.db.models import Site
    from app.pay.periods import Actor, PeriodConflict, SiteScope, move_period, move_periods
    from app.runtime import build_runtime
    from app.settings import Settings

    runtime = build_runtime(Settings.from_env())
    # Two people, as maker-checker wants: one closes, the other approves.
    actors = {"close": Actor("bench-month-close", "admin"), "approve": Actor("bench-month-approve", "admin")}
    with runtime.sessions() as session:
        sites = [s for n, s in enumerate(session.scalars(select(Site.id).order_by(Site.id))) if n % shares == share]
    conflicts = moved = 0
    phases: dict = {}
    backend_rss, backend_private = None, 0.0
    started = time.perf_counter()
    if path == "bulk":
        scope = SiteScope() if shares == 1 else SiteScope(site_ids=frozenset(sites))
        for action in ("close", "approve"):
            phase = time.perf_counter()
            with runtime.sessions.begin() as session, BackendMemory(session) as memory:
                result = move_periods(session, month, action, actors[action], scope)
            backend_rss = max(backend_rss or 0, memory.peak_mib or 0)
            backend_private = max(backend_private, memory.peak_private_mib)
            moved += len(result.moved)
            conflicts += sum(result.not_moved.values())
            phases[f"{action}_seconds"] = time.perf_counter() - phase
    else:
        for site in sites:
            for action in ("close", "approve"):
                try:
                    with runtime.sessions.begin() as session:
                        move_period(session, site, month, action, actors[action])
                    moved += 1
                except PeriodConflict:
                    conflicts += 1
    seconds = time.perf_counter() - started
    runtime.close()
    if path == "bulk":
        print(f"    process {share + 1}/{shares}: {seconds:.1f} s, {moved} moves; " + ", ".join(
            f"{name} {value:.1f}" for name, value in phases.items()) + f"; database backend: private memory peak "
            f"{backend_private:,.0f} MiB, VmHWM {backend_rss or 0:,.0f} MiB", file=sys.stderr)
    print(json.dumps({"sites": len(sites), "moved": moved, "conflicts": conflicts, "seconds": seconds,
                      "again": again, **phases, "db_backend_peak_rss_mib": backend_rss,
                      "db_backend_peak_private_mib": backend_private,
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    _worker(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], "--again" in sys.argv)
