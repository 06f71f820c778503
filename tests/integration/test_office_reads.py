"""On PostgreSQL (its own date arithmetic and plans): the poverty office's reads, the county at a glance and a
household's page, count what the events say."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from support.api import ApiClient
from support.data_keys import TEST_DATA_KEY
from support.glance import COUNTY, VILLAGES, counted, expected_week, make_world
from support.pipeline import drain

from app import create_app
from app.access.tokens import issue_token
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
