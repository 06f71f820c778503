"""(f) alerts at scale: the scheduled evaluation of a finished month over a country with 13 months of history
(bench/alert_history.py), run twice in a child process as the alerts process runs it: the first raises every
finding, the second (its month's evaluation row removed, so that it runs again) must raise nothing. Timed, with
the child's peak resident memory, against floors measured in the same run: the bare scans each rule needs
(household income by month, each site's recorded days, each site's approved pay by month). The findings
are counted by kind and checked against what the generator planted and a SQL statement of the rules.

The evaluator process is bench/evaluator.py.
"""
from __future__ import annotations

import json
import subprocess
import time
from datetime import date, timedelta

import psycopg

import payroll
from bench.alert_history import history_months, make_history
from bench.country import Country
from bench.load import libpq, prepare_postgres
from bench.services import PROJECT, PYTHON, ROOT, Services, settings_env

EVALUATION_DAY = 5  # the settings' default ALERT_EVALUATION_DAY: the month is evaluated on the 5th after it
KINDS = ("income_drop", "below_line", "projected_below_line", "no_work", "wage_arrears")


def as_of_for(country: Country) -> date:
    month_end = country.first_day.replace(day=country.month_days() + country.first_day.day - 1)
    return month_end + timedelta(days=EVALUATION_DAY)


def run_alerts(services: Services, country: Country, repeat: int) -> dict:
    month, as_of = country.first_day.strftime("%Y-%m"), as_of_for(country)
    dbname = f"bench_alerts_{country.workers}"
    started = time.perf_counter()
    url = prepare_postgres(services.postgres, dbname, country, quiet=True)
    history = make_history(url, country.first_day, as_of)
    history["setup_seconds"] = round(time.perf_counter() - started, 1)
    out: dict = {"workers": country.workers, "households": country.households, "sites": country.site_count(),
                 "month": month, "as_of": as_of.isoformat(), "history": history,
                 "expected": expected_findings(url, month, as_of), "runs": []}
    for n in range(repeat):
        floor = floors(url, month, as_of)
        first = evaluate_in_child(url, as_of, f"alerts-first-r{n}")
        found = findings_by_kind(url)
        reset_evaluation(url, keep_alerts=True)
        second = evaluate_in_child(url, as_of, f"alerts-second-r{n}")
        out["runs"].append({"floor": floor, "first": first, "second": second, "found": found,
                            "found_after_second": findings_by_kind(url)})
        reset_evaluation(url, keep_alerts=False)
    services.postgres.drop_database(dbname)
    return out


def evaluate_in_child(url: str, as_of: date, tag: str) -> dict:
    """The scheduled evaluation in a process of its own, which reports its own peak RSS (VmHWM)."""
    env = settings_env(DATABASE_URL=url, STABLEWORK_BUS="kafka", KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9",
                       ALERT_EVALUATION_DAY=str(EVALUATION_DAY))
    child = subprocess.Popen([PYTHON, str(ROOT / "bench" / "evaluator.py"), as_of.isoformat()], cwd=PROJECT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = child.communicate(timeout=3600)
    if child.returncode:
        raise RuntimeError(f"{tag}: the evaluator failed: {err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


def floors(url: str, month: str, as_of: date) -> dict:
    """The bare scans of the rules' inputs, each a GROUP BY counted inside the server."""
    months = [*history_months(month), month]
    since = as_of - timedelta(days=366)
    statements = {
        "household_months": ("SELECT count(*) FROM (SELECT w.household_id, i.month, sum(i.income_fen) "
                             "FROM worker_month_income i JOIN workers w ON w.id = i.worker_id "
                             "WHERE i.month = ANY(%(months)s) GROUP BY w.household_id, i.month) x"),
        "site_days": ("SELECT count(*) FROM (SELECT site_id, work_date FROM attendance_records WHERE work_date "
                      "BETWEEN %(since)s AND %(as_of)s UNION SELECT site_id, work_date FROM output_records "
                      "WHERE work_date BETWEEN %(since)s AND %(as_of)s) x"),
        "site_pay": ("SELECT count(*) FROM (SELECT site_id, month, sum(amount_fen) FROM approved_pay "
                     "GROUP BY site_id, month) x"),
    }
    seconds, rows = {}, {}
    with psycopg.connect(libpq(url)) as conn:
        conn.execute("SET jit = off")  # as the evaluation sets it
        for name, statement in statements.items():
            started = time.perf_counter()
            rows[name] = conn.execute(statement, {"months": months, "since": since, "as_of": as_of}).fetchone()[0]
            seconds[name] = time.perf_counter() - started
    return {"seconds": sum(seconds.values()), "each_seconds": seconds, "rows": rows}


def expected_findings(url: str, month: str, as_of: date, t: payroll.AlertThresholds | None = None) -> dict:
    """What the rules should find, from SQL over the same rows (household rules, arrears) and from what the
    generator planted (idle workers: those stopped before the site's last N recorded days surely are)."""
    t = t or payroll.AlertThresholds()
    year = payroll.months_of_year_until(month)
    recent = year[-t.projection_months:]
    ratio = t.drop_ratio.as_integer_ratio()  # this < (1 - r) * sum / 3  <=>  3 * den * this < (den - num) * sum
    household = f"""
    WITH h AS (
      SELECT w.household_id,
             coalesce(sum(i.income_fen) FILTER (WHERE i.month = %(month)s), 0) AS this,
             array_agg(i.month) FILTER (WHERE i.income_fen <> 0) AS months,
             sum(i.income_fen) FILTER (WHERE i.month = ANY(%(previous3)s)) AS previous,
             coalesce(sum(i.income_fen) FILTER (WHERE i.month = ANY(%(twelve)s)), 0) AS twelve,
             coalesce(sum(i.income_fen) FILTER (WHERE i.month = ANY(%(year)s)), 0) AS ytd,
             coalesce(sum(i.income_fen) FILTER (WHERE i.month = ANY(%(recent)s)), 0) AS recent
      FROM worker_month_income i JOIN workers w ON w.id = i.worker_id
      WHERE i.month = ANY(%(months)s) GROUP BY w.household_id)
    SELECT
      count(*) FILTER (WHERE h.months @> %(previous3)s::varchar[]
                       AND 3 * {ratio[1]} * h.this < ({ratio[1]} - {ratio[0]}) * h.previous),
      count(*) FILTER (WHERE hh.status IN ('poor', 'monitored') AND coalesce(h.twelve, 0) < %(line)s * hh.size),
      count(*) FILTER (WHERE hh.status IN ('poor', 'monitored') AND {len(recent)} * coalesce(h.ytd, 0)
                       + {12 - len(year)} * coalesce(h.recent, 0) < {len(recent)} * %(line)s * hh.size)
    FROM households hh LEFT JOIN h ON h.household_id = hh.id"""
    values = {"month": month, "previous3": payroll.previous_months(month, 3),
              "twelve": [*payroll.previous_months(month, 11), month], "year": year, "recent": recent,
              "months": [*history_months(month), month], "line": t.monitoring_line_fen(int(month[:4]))}
    cutoff = as_of - timedelta(days=t.no_work_days - 1)  # every site records every day of the window
    with psycopg.connect(libpq(url)) as conn:
        drop, below, projected = conn.execute(household, values).fetchone()
        idle_surely, idle_planted = conn.execute(
            "SELECT count(*) FILTER (WHERE stop_day <= %s), count(*) FROM bench_idle", (cutoff,)).fetchone()
        arrears, = conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT site_id, month FROM payment_lines WHERE status <> 'confirmed' "
            "AND amount_fen > 0) x").fetchone()
    return {"income_drop": drop, "below_line": below, "projected_below_line": projected,
            "no_work": [idle_surely, idle_planted], "wage_arrears": arrears}


def findings_by_kind(url: str) -> dict:
    with psycopg.connect(libpq(url)) as conn:
        counts = dict(conn.execute("SELECT kind, count(*) FROM alerts GROUP BY kind").fetchall())
        outbox, = conn.execute("SELECT count(*) FROM event_log WHERE topic LIKE '%%alerts'").fetchone()
    return {**{kind: counts.get(kind, 0) for kind in KINDS}, "messages": outbox}


def check_findings(found: dict, expected: dict) -> list[str]:
    """The differences between what an evaluation raised and what was expected (empty when all is well)."""
    problems = [f"{kind}: raised {found[kind]:,}, expected {expected[kind]:,}" for kind in KINDS
                if kind != "no_work" and found[kind] != expected[kind]]
    low, high = expected["no_work"]
    if not low <= found["no_work"] <= high:
        problems.append(f"no_work: raised {found['no_work']:,}, expected {low:,} to {high:,}")
    if found["messages"] != sum(found[kind] for kind in KINDS):
        problems.append(f"{found['messages']:,} alert messages staged for {sum(found[k] for k in KINDS):,} alerts")
    return problems


def reset_evaluation(url: str, keep_alerts: bool) -> None:
    """Let the month be evaluated again: without its evaluation row, and (unless kept) without its alerts and
    the baseline that stands on them, so that it is evaluated from scratch."""
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute("DELETE FROM alert_evaluations")
        if not keep_alerts:
            conn.execute("DELETE FROM alert_baselines")
            conn.execute("DELETE FROM webhook_deliveries")
            conn.execute("DELETE FROM alerts")
            conn.execute("DELETE FROM event_log")
            conn.execute("VACUUM ANALYZE alerts, event_log, alert_evaluations")

