"""On PostgreSQL (its own upsert of the kept income): after facts on time, an approved month and its late facts
(adjustments), the income kept per worker and month is the sum of the wage lines and adjustments, and a rebuild
from the event log keeps it."""
from __future__ import annotations

import pytest
from support.api import ApiClient
from support.data_keys import TEST_DATA_KEY
from support.income import income_from_lines, stored_income
from support.pipeline import drain, post_in_batches
from support.scenario import SITES, build_scenario, register

from app import create_app
from app.access.tokens import issue_token
from app.ledger.rebuild import rebuild_derived
from app.migrate import upgrade_database
from app.runtime import build_runtime
from app.settings import Settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_runtime(pg_url):
    """The module's database with the embedded bus, without the rate limits a scenario's registry would hit."""
    upgrade_database(pg_url)
    runtime = build_runtime(Settings(database_url=pg_url, bus="embedded", log_level="WARNING", data_keys=TEST_DATA_KEY,
                                     rate_limit_reads="100000/minute", rate_limit_writes="100000/minute"))
    yield runtime
    runtime.close()


def test_the_kept_income_is_the_lines_and_adjustments_and_a_rebuild_keeps_it(pg_runtime):
    with pg_runtime.sessions.begin() as session:
        token = issue_token(session, name="admin", role="admin")
        second = issue_token(session, name="second admin", role="admin")  # approves what the first closed
    api = ApiClient(create_app(runtime=pg_runtime).test_client(), token)
    checker = api.as_token(second)
    scenario = build_scenario(seed=7)
    register(api, scenario)
    on_time = scenario.events[: len(scenario.events) // 2]
    post_in_batches(api, on_time)
    drain(pg_runtime)
    assert stored_income(pg_runtime) == income_from_lines(pg_runtime)
    for site in SITES:
        assert api.post(f"/sites/{site['id']}/periods/2026-03/close", {}).status_code == 200
        assert checker.post(f"/sites/{site['id']}/periods/2026-03/approve", {}).status_code == 200
    post_in_batches(api, scenario.events[len(on_time):])
    drain(pg_runtime)
    kept = stored_income(pg_runtime)
    assert kept == income_from_lines(pg_runtime)
    assert api.get(f"/sites/{SITES[0]['id']}/periods/2026-04").get_json()["adjustments"]  # late facts came

    rebuild_derived(pg_runtime)
    drain(pg_runtime)
    assert stored_income(pg_runtime) == kept
