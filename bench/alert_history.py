"""Thirteen months of a country's history for the alert benchmark, made inside PostgreSQL by set-based SQL
(INSERT ... SELECT over the registry's assignments and generate_series), not through the event pipeline:
only the tables the alert rules read, in a fraction of the time and disk the pipeline would take.

* the evaluated month (the country's first month) and the days after it up to the evaluation day: the work
  records (attendance; output for a piece worker's days of work), one a worker and day, as the
  pipeline stores them; its income in `worker_month_income` is summed from those records;
* the 12 months before it: straight into `worker_month_income` (a worker's usual month, +-15%, 3% of
  months missing), and each site's month approved (`period_transitions`), frozen (`approved_pay`) and
  paid (`payment_batches`, `payment_lines`: confirmed);
* the findings planted: 2.5% of workers stop working on a day of the window (half recorded absent
  from then on, half not recorded at all); 1.5% of sites leave part of the last approved month
  unpaid and 0.2% of the older site-months too (the bank refused some lines). Households of two
  public-welfare posts, or a post and a piece worker, earn little: below the monitoring line when
  they count three or more.

Amounts follow the sites' schemes roughly (hourly: 8 hours at the rate; piece: 50 fen a piece), not
to the fen: the rules read income, never wage lines, so the wage lines are not made.
"""
from __future__ import annotations

import sys
import time
from datetime import date, timedelta

import psycopg

import payroll
from bench.load import libpq

IDLE_PER_MILLE = 25
ARREARS_LAST_PER_MILLE, ARREARS_OLDER_PER_MILLE = 15, 2

# A worker's day rate (fen) and monthly terms from the assignment's scheme.
_TERMS = """
CREATE TEMP TABLE terms AS
SELECT a.worker_id, a.site_id, a.scheme->>'kind' AS kind,
       CASE a.scheme->>'kind' WHEN 'hourly' THEN (a.scheme->>'rate_fen')::int * 8
            WHEN 'daily' THEN (a.scheme->>'day_rate_fen')::int WHEN 'piece' THEN 3500 ELSE 0 END AS day_fen,
       coalesce((a.scheme->>'stipend_fen')::int, 0) AS stipend_fen,
       coalesce((a.scheme->>'required_days')::int, 1) AS required_days,
       CASE WHEN (hashtext(a.worker_id || ':idle') & 2147483647) %% 1000 < %(idle)s
            THEN %(first)s::date + (hashtext(a.worker_id || ':stop') & 2147483647) %% %(window)s END AS stop_day,
       (hashtext(a.worker_id || ':seen') & 2147483647) %% 2 = 0 AS absence_recorded
FROM assignments a;
ANALYZE terms;
CREATE TABLE bench_idle AS SELECT worker_id, stop_day FROM terms WHERE stop_day IS NOT NULL;
"""

# One status a worker and day of the window; an idle worker's days from its stop are absent or missing.
_DAYS = """
CREATE TEMP TABLE days AS
SELECT t.worker_id, t.site_id, t.kind, d::date AS work_date,
       CASE WHEN t.stop_day <= d THEN 'absent'
            ELSE (ARRAY['present','half_day','absent','leave'])[
                 CASE WHEN r < 88 THEN 1 WHEN r < 92 THEN 2 WHEN r < 97 THEN 3 ELSE 4 END] END AS status,
       20 + r2 %% 100 AS quantity
FROM terms t CROSS JOIN generate_series(%(first)s::date, %(last)s::date, '1 day') d
CROSS JOIN LATERAL (SELECT (hashtext(t.worker_id || d::text) & 2147483647) %% 100 AS r,
                           (hashtext(d::text || t.worker_id) & 2147483647) AS r2) h
WHERE t.stop_day IS NULL OR t.stop_day > d OR t.absence_recorded;
"""

_RECORDS = """
INSERT INTO attendance_records (worker_id, site_id, work_date, event_id, recorded_at, status, minutes)
SELECT worker_id, site_id, work_date, worker_id || ':' || work_date, work_date || 'T10:00:00.000000Z', status,
       CASE WHEN kind = 'hourly' AND status = 'present' THEN 480 WHEN kind = 'hourly' AND status = 'half_day'
            THEN 240 END
FROM days WHERE kind <> 'piece' OR status NOT IN ('present', 'half_day');
INSERT INTO output_records (event_id, worker_id, site_id, work_date, product, grade, quantity)
SELECT worker_id || ':' || work_date, worker_id, site_id, work_date, 'shoe-upper', 'A',
       CASE status WHEN 'half_day' THEN quantity / 2 ELSE quantity END
FROM days WHERE kind = 'piece' AND status IN ('present', 'half_day');
"""

# The evaluated month's income, from its records: what the consumers would have kept.
_MONTH_INCOME = """
INSERT INTO worker_month_income (worker_id, month, income_fen)
SELECT t.worker_id, %(month)s, CASE t.kind
         WHEN 'monthly' THEN round(t.stipend_fen * least(sum(c.credit), t.required_days) / t.required_days)
         WHEN 'piece' THEN 50 * sum(CASE d.status WHEN 'half_day' THEN d.quantity / 2 WHEN 'present'
                                    THEN d.quantity ELSE 0 END)
         ELSE round(t.day_fen * sum(c.credit)) END
FROM terms t JOIN days d USING (worker_id)
CROSS JOIN LATERAL (SELECT CASE d.status WHEN 'present' THEN 1.0 WHEN 'half_day' THEN 0.5 ELSE 0 END AS credit) c
WHERE d.work_date BETWEEN %(first)s AND %(month_end)s
GROUP BY t.worker_id, t.kind, t.stipend_fen, t.required_days, t.day_fen
HAVING sum(c.credit) > 0;
DROP TABLE days;
"""

# The 12 months before: a usual month (nine days in ten worked), +-15%, 3% of months without income.
_PAST_INCOME = """
INSERT INTO worker_month_income (worker_id, month, income_fen)
SELECT t.worker_id, m.month,
       round(CASE t.kind WHEN 'monthly' THEN t.stipend_fen ELSE t.day_fen * m.days * 0.9 END
             * (85 + (hashtext(t.worker_id || m.month) & 2147483647) %% 31) / 100)
FROM terms t CROSS JOIN unnest(%(months)s::text[], %(month_days)s::int[]) AS m(month, days)
WHERE (hashtext(m.month || t.worker_id) & 2147483647) %% 100 >= 3;
"""

# Each site's past months approved 8 days after they end and paid; the arrears planted stay unpaid.
_PAST_PAY = """
INSERT INTO approved_pay (site_id, month, worker_id, wages_fen, adjustments_fen, amount_fen)
SELECT t.site_id, i.month, i.worker_id, i.income_fen, 0, i.income_fen
FROM worker_month_income i JOIN terms t USING (worker_id) WHERE i.month = ANY(%(months)s);
INSERT INTO period_transitions (site_id, month, from_status, to_status, actor_token_id, actor_role, at)
SELECT s.id, m.month, step.from_status, step.to_status, 'bench', 'admin', m.ends + step.after
FROM sites s CROSS JOIN unnest(%(months)s::text[], %(month_ends)s::timestamptz[]) AS m(month, ends)
CROSS JOIN (VALUES ('open', 'closed', interval '3 days'), ('closed', 'approved', interval '8 days'))
     AS step(from_status, to_status, after);
INSERT INTO payment_batches (site_id, month, created_by, created_at)
SELECT site_id, month, 'bench', now() FROM approved_pay GROUP BY site_id, month;
INSERT INTO payment_lines (batch_id, site_id, month, worker_id, worker_name, amount_fen, status)
SELECT b.id, p.site_id, p.month, p.worker_id, 'Worker ' || p.worker_id, p.amount_fen,
       CASE WHEN (hashtext(p.site_id || p.month) & 2147483647) %% 1000
                 < CASE p.month WHEN %(last_paid)s THEN %(last_arrears)s ELSE %(older_arrears)s END
                 AND (hashtext(p.worker_id || p.month) & 2147483647) %% 3 = 0 THEN 'failed' ELSE 'confirmed' END
FROM approved_pay p JOIN payment_batches b USING (site_id, month);
"""


def history_months(month: str) -> list[str]:
    return payroll.previous_months(month, 12)


def make_history(url: str, first_day: date, as_of: date) -> dict:
    """Fill the history of a database holding the country's registry; returns what was made and how long."""
    month = first_day.strftime("%Y-%m")
    months = history_months(month)
    ends = [_month_end(m) for m in months]
    values = {"idle": IDLE_PER_MILLE, "first": first_day, "last": as_of, "window": (as_of - first_day).days + 1,
              "month": month, "month_end": _month_end(month), "months": months,
              "month_days": [e.day for e in ends], "month_ends": ends, "last_paid": months[-1],
              "last_arrears": ARREARS_LAST_PER_MILLE, "older_arrears": ARREARS_OLDER_PER_MILLE}
    steps = {"terms": _TERMS, "window days": _DAYS, "work records": _RECORDS, "month income": _MONTH_INCOME,
             "past income": _PAST_INCOME, "past pay": _PAST_PAY}
    seconds = {}
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        for name, script in steps.items():
            started = time.perf_counter()
            for statement in filter(str.strip, script.split(";\n")):
                conn.execute(statement, values)
            seconds[name] = round(time.perf_counter() - started, 1)
            print(f"  history: {name} in {seconds[name]}s", file=sys.stderr)
        started = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        seconds["vacuum analyze"] = round(time.perf_counter() - started, 1)
        rows = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in (
            "attendance_records", "output_records", "worker_month_income", "approved_pay", "payment_lines",
            "period_transitions")}
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return {"seconds": seconds, "rows": rows, "database_gib": round(size / 2**30, 2), "months": [*months, month]}


def _month_end(month: str) -> date:
    year, number = int(month[:4]), int(month[5:])
    return date(year + number // 12, number % 12 + 1, 1) - timedelta(days=1)
