"""On PostgreSQL (its own upserts and Monday arithmetic): the weeks at work the consumers keep, and the counts
kept of them by area and week, are those the stored work records give, whatever arrives and in whatever order,
so the glance read from them is the glance of the records."""
from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from support.api import ApiClient
from support.data_keys import TEST_DATA_KEY
from support.pipeline import drain, post_in_batches
from support.scenario import build_scenario, register
from support.weeks import (
    VILLAGES,
    counts_from_records,
    glances,
    parked,
    register_example,
    stored_counts,
    stored_weeks,
    weeks_from_records,
    work,
)

from app import create_app
from app.access.tokens import issue_token
from app.migrate import upgrade_database
from app.runtime import build_runtime
from app.settings import Settings

pytestmark = pytest.mark.postgres
_examples = itertools.count()


@pytest.fixture(scope="module")
def pg_world(postgres_server):
    """A database of its own with the seed-7 county registered, shared by the examples."""
    url = postgres_server.create_database("t_week_aggregate")
    upgrade_database(url)
    runtime = build_runtime(Settings(database_url=url, bus="embedded", log_level="WARNING", data_keys=TEST_DATA_KEY,
                                     consumer_poll_ms=0, rate_limit_reads="100000/minute",
                                     rate_limit_writes="100000/minute"))
    with runtime.sessions.begin() as session:
        token = issue_token(session, name="admin", role="admin")
    api = ApiClient(create_app(runtime=runtime).test_client(), token)
    register(api, build_scenario(seed=7))
    yield runtime, api
    runtime.close()


@examples(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(drawn_outputs=st.lists(st.tuples(st.integers(0, 1), st.sampled_from(("2026-03-01", "2026-03-02", "2026-03-09")),
                                        st.booleans()), max_size=4),
       drawn_attendance=st.lists(st.tuples(st.integers(0, 1), st.sampled_from(("2026-03-01", "2026-03-02",
                                                                                "2026-03-08", "2026-03-09")),
                                           st.sampled_from(("present", "half_day", "absent"))), max_size=6),
       drawn_places=st.tuples(*[st.sampled_from(VILLAGES)] * 2),
       drawn_statuses=st.tuples(*[st.sampled_from(("poor", "other"))] * 2),
       data=st.data())
def test_the_kept_weeks_and_their_counts_are_those_of_the_stored_records_on_postgresql(
        pg_world, drawn_outputs, drawn_attendance, drawn_places, drawn_statuses, data):
    runtime, api = pg_world
    sites, workers = register_example(api, f"pg{next(_examples)}", drawn_places, drawn_statuses)
    events = work(sites, workers, drawn_outputs, drawn_attendance)
    arrivals = data.draw(st.permutations(events + data.draw(
        st.lists(st.sampled_from(events), max_size=2) if events else st.just([]), label="sent twice")),
        label="arrival order")
    cut = data.draw(st.integers(0, len(arrivals)), label="cut")
    for part in (arrivals[:cut], arrivals[cut:]):
        post_in_batches(api, part)
        drain(runtime)
        assert stored_weeks(runtime) == weeks_from_records(runtime)
        assert stored_counts(runtime) == counts_from_records(runtime)
    assert parked(runtime) == 0
    kept, afresh = glances(runtime, "360731", date(2026, 2, 23), date(2026, 3, 15))
    assert kept == afresh
