"""An example's two sites (piece and daily) and two workers with their work events; the weeks at work the consumers
keep (site_week_workers), and the same derived from the work records stored; the county at a glance read from
the kept weeks and from weeks derived afresh."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.alerts.stats import Glance, county_glance
from app.db.models import AreaWeek, AreaWeekWorker, DeadLetter, Region, SiteWeek, SiteWeekWorker
from app.ledger.week_counts import refill_counts
from app.ledger.weeks import refill_weeks, weeks_at_work
from support.pipeline import work_event

VILLAGES = ("360731101201", "360731101202")
SCHEMES = {"toys": {"kind": "piece", "rates": {"bear": 35, "duck": 120}},
           "tea": {"kind": "daily", "day_rate_fen": 12345}}


def register_example(api, n: int | str, villages: tuple[str, ...] = (VILLAGES[0],) * 2,
                     statuses: tuple[str, ...] = ("poor", "poor")) -> tuple[dict[str, str], list[str]]:
    """Two workshops (piece and daily) in the villages given, two workers of households of the statuses given,
    each assigned to both workshops."""
    sites = {kind: f"wk{n}-{kind}" for kind in SCHEMES}
    workers = [f"wk{n}-a", f"wk{n}-b"]
    for site, village in zip(sites.values(), villages):
        api.created("/sites", {"id": site, "kind": "workshop", "name": site, "region_code": village})
    for worker, status in zip(workers, statuses):
        api.created("/households", {"id": f"hh-{worker}", "region_code": VILLAGES[0], "size": 2, "status": status})
        api.created("/workers", {"id": worker, "household_id": f"hh-{worker}", "name": worker})
        for kind, site in sites.items():
            api.created("/assignments", {"id": f"as-{worker}-{site}", "worker_id": worker, "site_id": site,
                                         "start_date": "2026-02-01", "end_date": None, "scheme": SCHEMES[kind]})
    return sites, workers


def work(sites: dict[str, str], workers: list[str], drawn_outputs, drawn_attendance) -> list[dict]:
    events = [work_event("attendance.recorded", f"{day}T18:{n:02d}:00+08:00",
                         {"worker_id": workers[who], "site_id": sites["tea"], "date": day, "status": status})
              for n, (who, day, status) in enumerate(drawn_attendance)]
    for who, day, voided in drawn_outputs:
        output = work_event("output.recorded", f"{day}T17:00:00+08:00", {
            "worker_id": workers[who], "site_id": sites["toys"], "date": day, "product": "bear", "grade": "A",
            "quantity": 3})
        events.append(output)
        if voided:
            events.append(work_event("output.voided", f"{day}T19:00:00+08:00",
                                     {"worker_id": workers[who], "site_id": sites["toys"], "output_id": output["id"]}))
    return events


def stored_weeks(runtime) -> set[tuple[str, str, date]]:
    with runtime.sessions.begin() as session:
        return {(row.worker_id, row.site_id, row.week) for row in session.scalars(select(SiteWeekWorker))}


def weeks_from_records(runtime) -> set[tuple[str, str, date]]:
    with runtime.sessions.begin() as session:
        return {(worker, site, _day(week)) for worker, site, week in session.execute(weeks_at_work(session))}


def stored_counts(runtime) -> dict[str, set[tuple]]:
    """The counts kept of the weeks at work, and the rows that make each worker and site count once."""
    with runtime.sessions.begin() as session:
        return _counts(session)


def counts_from_records(runtime) -> dict[str, set[tuple]]:
    """The same, computed afresh from the work records stored (then rolled back)."""
    with runtime.sessions() as session:
        refill_weeks(session)
        refill_counts(session)
        counts = _counts(session)
        session.rollback()
    return counts


def _counts(session) -> dict[str, set[tuple]]:
    return {model.__tablename__: {tuple(_day(v) for v in row) for row in session.execute(
        select(*model.__table__.columns))} for model in (AreaWeekWorker, SiteWeek, AreaWeek)}


def parked(runtime) -> int:
    with runtime.sessions.begin() as session:
        return session.scalar(select(func.count()).select_from(DeadLetter))


def glances(runtime, county: str, first: date, last: date) -> tuple[Glance, Glance]:
    """The glance from the kept weeks, and from weeks refilled from the records (then rolled back)."""
    with runtime.sessions() as session:
        region = session.get(Region, county)
        kept = county_glance(session, region, first, last)
        refill_weeks(session)
        refill_counts(session)
        afresh = county_glance(session, region, first, last)
        session.rollback()
    return kept, afresh


def _day(value):
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return date.fromisoformat(value)  # SQLite's date() is text
    return value
