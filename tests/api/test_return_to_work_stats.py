"""Return-to-work statistics against the same figures worked out one labourer and one day at a time
(tests/support/return_to_work.py), for any county of labourers, as of any day, for the county and each village."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.return_to_work import START, Labourer, counties, day, expected, write_county

from app.db.models import Region
from app.jobs.stats import Figures, return_to_work, weekly

FIELDS = ("baseline", "working_local", "working_away", "willing_to_go_out", "workshops", "resumed", "absorbed",
          "absorbed_poor", "referrals", "hires", "median_days_to_hire")


def figures(found: Figures) -> dict:
    return {name: getattr(found, name) for name in FIELDS}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(county=counties, as_of=st.integers(0, 55), village=st.none() | st.integers(0, 1))
def test_the_figures_as_of_a_day_are_those_counted_one_labourer_at_a_time(runtime, county, as_of, village):
    people, baselines = county
    with runtime.sessions.begin() as session:
        world = write_county(session, people, baselines)
    code = world.code if village is None else world.villages[village]
    with runtime.readers() as session:
        found = return_to_work(session, session.get(Region, code), day(as_of))

    assert figures(found) == expected(world, date(START.year, 1, 1), day(as_of), village)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(county=counties, weeks=st.integers(1, 8))
def test_each_week_of_the_series_counts_that_week_as_of_its_last_day(runtime, county, weeks):
    people, baselines = county
    with runtime.sessions.begin() as session:
        world = write_county(session, people, baselines)
    last = START + timedelta(weeks=weeks - 1, days=3)  # a Thursday: the last week ends on it
    with runtime.readers() as session:
        series = weekly(session, session.get(Region, world.code), START, last)

    ends = [START + timedelta(weeks=n, days=6) for n in range(weeks - 1)] + [last]
    assert [week.day for week in series] == ends
    assert [figures(week) for week in series] == [expected(world, end - timedelta(days=end.weekday()), end)
                                                  for end in ends]


def test_the_rates_are_shares_of_the_baseline_and_of_the_workshops(runtime):
    away = Labourer(village=0, poor=True, willing=None, changes=(("working_away", 0, None),),
                    worked=frozenset({(0, 0)}))
    local = Labourer(village=1, poor=False, willing=None, changes=(("working_local", 0, None),))
    with runtime.sessions.begin() as session:
        world = write_county(session, [away, local, local], {-1: 4})
    with runtime.readers() as session:
        found = return_to_work(session, session.get(Region, world.code), START)

    assert (found.returned_to_work, found.baseline, found.return_rate) == (3, 4, Decimal("0.75"))
    assert (found.resumed, found.workshops, found.resumption_rate) == (1, 3, Decimal(1) / 3)


def test_a_region_without_a_baseline_or_workshops_has_no_rates(runtime):
    with runtime.sessions.begin() as session:
        session.add(Region(code="980001", name="Empty", level="county", parent_code=None, path="/980001/"))
    with runtime.readers() as session:
        found = return_to_work(session, session.get(Region, "980001"), START)

    assert found.baseline is None and found.return_rate is None
    assert found.workshops == 0 and found.resumption_rate is None


@pytest.mark.parametrize("first, last", [(date(2026, 3, 9), date(2026, 3, 1)), (date(2025, 1, 1), date(2026, 3, 1))])
def test_a_backward_series_or_one_longer_than_a_year_of_weeks_is_refused(runtime, first, last):
    with runtime.readers() as session, pytest.raises(ValueError):
        weekly(session, Region(code="36", name="Jiangxi", level="province", path="/36/"), first, last)
