"""The weeks at work the consumers keep (site_week_workers), and the same derived from the work records stored;
the county at a glance read from the kept weeks and from weeks derived afresh."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app.alerts.stats import Glance, county_glance
from app.db.models import DeadLetter, Region, SiteWeekWorker
from app.ledger.weeks import refill_weeks, weeks_at_work


def stored_weeks(runtime) -> set[tuple[str, str, date]]:
    with runtime.sessions.begin() as session:
        return {(row.worker_id, row.site_id, row.week) for row in session.scalars(select(SiteWeekWorker))}


def weeks_from_records(runtime) -> set[tuple[str, str, date]]:
    with runtime.sessions.begin() as session:
        return {(worker, site, _day(week)) for worker, site, week in session.execute(weeks_at_work(session))}


def parked(runtime) -> int:
    with runtime.sessions.begin() as session:
        return session.scalar(select(func.count()).select_from(DeadLetter))


def glances(runtime, county: str, first: date, last: date) -> tuple[Glance, Glance]:
    """The glance from the kept weeks, and from weeks refilled from the records (then rolled back)."""
    with runtime.sessions() as session:
        region = session.get(Region, county)
        kept = county_glance(session, region, first, last)
        refill_weeks(session)
        afresh = county_glance(session, region, first, last)
        session.rollback()
    return kept, afresh


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)  # SQLite's date() is text
