"""Two counties of labourers, a household of one moved to another region, and the counts kept of the labourers
and of the weeks at work compared with those a count from scratch gives."""
from __future__ import annotations

from sqlalchemy import select

from app.db.models import AreaWeek, AreaWeekWorker, Household, SiteWeek
from app.ledger.week_counts import refill_counts
from app.registry.households import change_household
from support.labour_counts import kept_and_from_the_changes, kept_and_refilled
from support.return_to_work import County, day, write_county


def write_two_counties(runtime, people, baselines) -> tuple[County, County]:
    """A county of the people, and another alike for them to move to, their counts as the migration makes them."""
    with runtime.sessions.begin() as session:
        here = write_county(session, people, baselines)
        there = write_county(session, people, {})
        refill_counts(session)
    return here, there


def move(runtime, household: str, region: str) -> None:
    with runtime.sessions.begin() as session:
        change_household(session, session.get(Household, household), {"region_code": region}, "2026-07")


def assert_kept_as_counted_afresh(runtime, counties: tuple[County, ...], as_of: int) -> None:
    codes = [code for county in counties for code in (county.code, *county.villages)]
    kept, refilled = kept_and_refilled(runtime, codes)
    assert kept == refilled
    for code in codes:
        found, counted = kept_and_from_the_changes(runtime, code, day(as_of))
        assert found == counted, code
    kept, refilled = _weeks_kept_and_refilled(runtime)
    assert kept == refilled


def _weeks_kept_and_refilled(runtime) -> tuple[dict, dict]:
    """The counts kept of the weeks at work, and those counting the weeks again gives (then rolled back)."""
    with runtime.sessions() as session:
        kept = _weeks(session)
        refill_counts(session)
        refilled = _weeks(session)
        session.rollback()
    return kept, refilled


def _weeks(session) -> dict[str, set[tuple]]:
    return {model.__tablename__: {tuple(row) for row in session.execute(select(*model.__table__.columns))}
            for model in (AreaWeekWorker, SiteWeek, AreaWeek)}
