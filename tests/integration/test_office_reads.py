"""On PostgreSQL (its own date arithmetic and plans): the poverty office's reads, the county at a glance and a
household's page, count what the events say."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from support.api import ApiClient
from support.data_keys import TEST_DATA_KEY
from support.glance import COUNTY, VILLAGES, counted, expected_week, make_world, worked_days
from support.pipeline import drain

import payroll
from app import create_app
from app.access.tokens import issue_token
from app.alerts.household import household_page
from app.alerts.stats import county_glance
from app.db.models import Region
from app.migrate import upgrade_database
from app.runtime import build_runtime
from app.settings import Settings

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def world_runtime(pg_url):
    """The module's database with the scenario's county through the API and the consumer."""
    upgrade_database(pg_url)
    runtime = build_runtime(Settings(database_url=pg_url, bus="embedded", log_level="WARNING", data_keys=TEST_DATA_KEY,
                                     rate_limit_reads="100000/minute", rate_limit_writes="100000/minute"))
    with runtime.sessions.begin() as session:
        token = issue_token(session, name="admin", role="admin")
    world = make_world(ApiClient(create_app(runtime=runtime).test_client(), token), lambda: drain(runtime))
    yield runtime, world
    runtime.close()


def test_the_county_at_a_glance_counts_each_week_as_the_events_say(world_runtime):
    runtime, world = world_runtime
    with runtime.readers() as session:
        glance = county_glance(session, session.get(Region, COUNTY), date(2026, 3, 1), date(2026, 4, 30))
    mondays = [date(2026, 2, 23) + timedelta(weeks=n) for n in range(10)]
    assert list(glance.weeks) == mondays
    for village in glance.villages:
        assert [counted(week) for week in village.weeks] == [expected_week(world, m, (village.code,))
                                                             for m in mondays]
    assert [counted(week) for week in glance.total.weeks] == [expected_week(world, m, VILLAGES) for m in mondays]


def test_a_households_page_shows_its_workers_month_as_the_events_say(world_runtime):
    runtime, world = world_runtime
    with runtime.readers() as session:
        page = household_page(session, "hh-0-1", date(2026, 4, 20), payroll.AlertThresholds())
    (member,) = page.members
    assert member.worker_id == "ws-shoes-w1"
    assert [(a.site_id, a.scheme_kind) for a in member.assignments] == [("ws-bamboo", "hourly"), ("ws-shoes", "hourly")]
    april = {day for worker, _, day in worked_days(world.events) if worker == member.worker_id and day.month == 4}
    assert member.days_at_work == len(april)
    second_job = 120 * 1650 // 60  # the one April day of the second job
    assert member.income_fen == world.scenario.expected[(member.worker_id, "2026-04")] + second_job
    assert page.income[-1].income_fen == member.income_fen
    assert (page.line_fen, len(page.income)) == (50_000, 12)
