"""Return-to-work statistics on PostgreSQL against the same figures worked out one labourer and one day at a time
(tests/support/return_to_work.py): the window, the days' union and the China-day timestamps of its queries read
on the production database as they do on SQLite (tests/api/test_return_to_work_stats.py)."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.return_to_work import START, counties, day, expected, write_county

from app.db.models import Region
from app.jobs.stats import Figures, return_to_work, weekly

FIELDS = ("baseline", "working_local", "working_away", "willing_to_go_out", "workshops", "resumed", "absorbed",
          "absorbed_poor", "referrals", "hires", "median_days_to_hire")
EXAMPLES = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def figures(found: Figures) -> dict:
    return {name: getattr(found, name) for name in FIELDS}


@EXAMPLES
@given(county=counties, as_of=st.integers(0, 55), village=st.none() | st.integers(0, 1))
def test_the_figures_as_of_a_day_on_postgresql_are_those_counted_one_labourer_at_a_time(pg_runtime, county, as_of,
                                                                                         village):
    people, baselines = county
    with pg_runtime.sessions.begin() as session:
        world = write_county(session, people, baselines)
    code = world.code if village is None else world.villages[village]
    with pg_runtime.readers() as session:
        found = return_to_work(session, session.get(Region, code), day(as_of))

    assert figures(found) == expected(world, date(START.year, 1, 1), day(as_of), village)


@EXAMPLES
@given(county=counties, weeks=st.integers(1, 8))
def test_each_week_on_postgresql_counts_that_week_as_of_its_last_day(pg_runtime, county, weeks):
    people, baselines = county
    with pg_runtime.sessions.begin() as session:
        world = write_county(session, people, baselines)
    last = START + timedelta(weeks=weeks - 1, days=3)
    with pg_runtime.readers() as session:
        series = weekly(session, session.get(Region, world.code), START, last)

    ends = [START + timedelta(weeks=n, days=6) for n in range(weeks - 1)] + [last]
    assert [figures(week) for week in series] == [expected(world, end - timedelta(days=end.weekday()), end)
                                                  for end in ends]
