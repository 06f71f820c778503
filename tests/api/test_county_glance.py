"""The county at a glance, week by week and village by village, against counts computed from the events."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from support.glance import COUNTY, VILLAGES, counted, expected_week, make_world

from app.alerts.stats import county_glance
from app.db.models import Region


def test_each_week_of_each_village_and_of_the_county_counts_what_the_events_say(api, consume, runtime):
    world = make_world(api, consume)
    with runtime.readers() as session:
        glance = county_glance(session, session.get(Region, COUNTY), date(2026, 3, 1), date(2026, 4, 30))
    mondays = [date(2026, 2, 23) + timedelta(weeks=n) for n in range(10)]
    assert list(glance.weeks) == mondays
    assert [(v.code, v.name) for v in glance.villages] == [(VILLAGES[0], "Pantian"), (VILLAGES[1], "Shuitou")]
    for village in glance.villages:
        assert [counted(week) for week in village.weeks] == [expected_week(world, m, (village.code,))
                                                             for m in mondays]
    assert (glance.total.code, glance.total.name) == (COUNTY, "Yudu")
    assert [counted(week) for week in glance.total.weeks] == [expected_week(world, m, VILLAGES) for m in mondays]
    # the second job's worker is one worker of the county, not one per village
    march = glance.total.weeks[1]
    assert march.workers_at_work < sum(v.weeks[1].workers_at_work for v in glance.villages)
    assert [v.weeks[1].posts_filled for v in glance.villages] == [1, 1]  # the bridge keeper starts in April
    assert [v.weeks[7].posts_filled for v in glance.villages] == [1, 2]


def test_a_week_is_named_by_its_iso_week_and_its_rates_are_shares(api, consume, runtime):
    make_world(api, consume)
    with runtime.readers() as session:
        glance = county_glance(session, session.get(Region, COUNTY), date(2026, 3, 2), date(2026, 3, 2))
    week = glance.total.weeks[0]
    assert (week.week, week.iso_week) == (date(2026, 3, 2), "2026-W10")
    assert week.resumption_rate == Decimal(week.workshops_resumed) / week.workshops
    assert week.posts_filled_rate == Decimal(week.posts_filled) / week.posts


def test_a_county_without_sites_or_work_counts_zeros_and_has_no_rates(api, runtime):
    api.created("/regions", {"code": "360732", "name": "Xingguo", "level": "county"})
    api.created("/regions", {"code": "360732101201", "name": "Empty", "level": "village", "parent_code": "360732"})
    with runtime.readers() as session:
        glance = county_glance(session, session.get(Region, "360732"), date(2026, 3, 1), date(2026, 3, 8))
    assert [v.code for v in glance.villages] == ["360732101201"]
    for week in (*glance.total.weeks, *glance.villages[0].weeks):
        assert counted(week) == (0,) * 6
        assert week.resumption_rate is None and week.posts_filled_rate is None


@pytest.mark.parametrize("first, last", [(date(2026, 3, 9), date(2026, 3, 1)), (date(2025, 1, 1), date(2026, 3, 1))])
def test_a_backward_range_or_one_longer_than_a_year_of_weeks_is_refused(runtime, first, last):
    with runtime.readers() as session, pytest.raises(ValueError):
        county_glance(session, Region(code="36", name="Jiangxi", level="province", path="/36/"), first, last)
