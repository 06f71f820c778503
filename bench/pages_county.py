"""The pages benchmark's county: 10,000 households (20,000 workers) whose first 300 workers share one site, with
months of history made in PostgreSQL (work records, income, wage lines, approved and paid months, the alerts
of the last evaluation) and an account for each role.

The history reuses the alert benchmark's (bench/alert_history.py: November's work records to the 5th of
December, the twelve months before it approved and paid; the weeks at work filled from those records as the
migration fills them, bench/glance.py) and the month close's wage lines made in SQL
(bench/monthclose.py), for August to November and December's first days; the alerts are those the scheduled
evaluation of November raises on 5 December, in a child process as the alerts process runs it.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta

import psycopg

from app.access.accounts import create_account
from app.db import make_engine, make_session_factory
from app.db.audit import install_audit
from bench.alert_history import make_history
from bench.alerts import evaluate_in_child
from bench.country import CREATED_AT, Country
from bench.glance import backfill, backfill_counts
from bench.load import admin_token, libpq, prepare_postgres
from bench.monthclose import synthetic_lines_sql

TODAY = date(2026, 12, 5)  # the pages' today (STABLEWORK_TODAY): November is evaluated, and being closed
HISTORY_FROM = date(2026, 11, 1)  # work records from here to TODAY; income and paid months before it
LINE_MONTHS = ("2026-08", "2026-09", "2026-10", "2026-11")  # wage lines of these months, and of December to TODAY
BIG_SITE = "s000000h9"  # an hourly workshop of the county's first village, parsed as Country.scheme parses ids
PASSWORD = "bench pages password"
ROLES = ("supervisor", "post_manager", "poverty_office", "admin")


@dataclass(frozen=True)
class PagesCounty(Country):
    """A Country whose first `big_site` workers all work at one hourly site (BIG_SITE)."""

    big_site: int = 300

    def scheme_kind(self, i: int) -> str:
        return "hourly" if i < self.big_site else super().scheme_kind(i)

    def site_id(self, i: int) -> str:
        return BIG_SITE if i < self.big_site else super().site_id(i)

    def sites(self):
        used = {self.site_id(i) for i in range(self.big_site, self.workers)}
        yield {"id": BIG_SITE, "kind": "workshop", "name": f"hourly site {BIG_SITE}",
               "region_code": self.village_code(0), "created_at": CREATED_AT}
        yield from (site for site in super().sites() if site["id"] in used)

    def county_code(self) -> str:
        return self._codes(0)[2]


def prepare_county(server, county: PagesCounty, dbname: str) -> dict:
    """A fresh database with the county, its history and accounts; what the pages' paths need to name."""
    started = time.perf_counter()
    url = prepare_postgres(server, dbname, county, quiet=True)
    history = make_history(url, HISTORY_FROM, TODAY)
    history["weeks_at_work_seconds"] = backfill(url)  # the weeks at work the consumers keep, from those records
    history["week_counts_seconds"] = backfill_counts(url)  # and the counts kept of them
    lines = make_wage_lines(url)
    evaluation = evaluate_in_child(url, TODAY, "pages-alerts")
    with psycopg.connect(libpq(url)) as conn:
        # the evaluation's alert messages wait in the outbox for a topic this run's broker does not have
        conn.execute("DELETE FROM event_log")
        conn.commit()
        conn.execute("ANALYZE")
        alert_id, household_id = conn.execute(
            "SELECT id, household_id FROM alerts WHERE household_id IS NOT NULL ORDER BY id LIMIT 1"
        ).fetchone() or (None, None)
        alerts = conn.execute("SELECT count(*) FROM alerts").fetchone()[0]
    ids = {"site": BIG_SITE, "village": county.village_code(0), "worker": county.worker_id(0),
           "household": household_id or "h00000000",
           "alert": alert_id or "none", "county": county.county_code(), "today": TODAY.isoformat(),
           "month": f"{TODAY:%Y-%m}", "closing": (TODAY.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")}
    logins = make_accounts(url, county)
    print(f"  pages county: {county.workers:,} workers, {alerts:,} alerts, {lines:,} wage lines in "
          f"{time.perf_counter() - started:.0f}s", file=sys.stderr)
    return {"url": url, "ids": ids, "logins": logins, "token": admin_token(url),
            "made": {"history": history, "wage_lines": lines, "alerts": alerts, "evaluation": evaluation,
                     "seconds": round(time.perf_counter() - started, 1)}}


def make_wage_lines(url: str) -> int:
    """Wage lines of LINE_MONTHS and of December's days to TODAY, one an assignment and day."""
    spans = [(f"{month}-01", _month_end(month).isoformat(), month) for month in LINE_MONTHS]
    spans.append((TODAY.replace(day=1).isoformat(), TODAY.isoformat(), f"{TODAY:%Y-%m}"))
    count = 0
    with psycopg.connect(libpq(url)) as conn:
        for first, last, period in spans:
            count += conn.execute(synthetic_lines_sql(first, last, period)).rowcount
        conn.commit()
    return count


def make_accounts(url: str, county: PagesCounty) -> dict[str, str]:
    """An account for each role: the supervisor of BIG_SITE; the others the county's (the admin nationwide)."""
    engine = make_engine(url)
    try:
        sessions = make_session_factory(engine)
        install_audit(sessions)
        with sessions.begin() as session:
            for role in ROLES:
                create_account(session, login=f"bench-{role}", name=f"Bench {role}", password=PASSWORD, role=role,
                               region_code=None if role == "admin" else county.county_code(),
                               site_ids=[BIG_SITE] if role == "supervisor" else [])
    finally:
        engine.dispose()
    return {role: f"bench-{role}" for role in ROLES}


def _month_end(month: str) -> date:
    year, number = int(month[:4]), int(month[5:])
    return date(year + number // 12, number % 12 + 1, 1) - timedelta(days=1)
