"""The weeks at work the consumers keep (site_week_workers) are always those the stored work records give,
whatever arrives: corrections to and from a day at work, outputs and their voids (before or after them),
redeliveries, any order, any cut into batches; so the county at a glance read from them is the glance of the
records. Each example has two fresh sites (piece and daily) and two fresh workers of the seed-7 county."""
from __future__ import annotations

import dataclasses
import itertools
from datetime import date

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from support.pipeline import post_in_batches, work_event
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

COUNTY = "360731"
# a Sunday, the Monday after it, that week's Sunday, the next Monday: weeks' edges
DAYS = ("2026-03-01", "2026-03-02", "2026-03-08", "2026-03-09", "2026-03-11")
_examples = itertools.count()


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, consumer_poll_ms=0)  # a drain ends at the first empty poll: no wait


# (worker, day, voided) outputs; (worker, day, status) attendance, later ones correcting earlier ones
outputs = st.lists(st.tuples(st.integers(0, 1), st.sampled_from(DAYS), st.booleans()), max_size=5)
# the two workshops' villages and whether each worker's household is poor: a worker at both workshops counts
# once in their village, or once in each village and once in the county
places = st.tuples(*[st.sampled_from(VILLAGES)] * 2)
statuses = st.tuples(*[st.sampled_from(("poor", "monitored", "other"))] * 2)
attendance = st.lists(st.tuples(st.integers(0, 1), st.sampled_from(DAYS),
                                st.sampled_from(("present", "half_day", "absent", "leave"))), max_size=8)


def arrive(api, consume, runtime, data, events: list[dict]) -> None:
    """Post the events, with some sent twice, in a drawn order and drawn parts, each part consumed; after each,
    the kept weeks are the records' weeks, and so are the counts kept of them."""
    redelivered = data.draw(st.lists(st.sampled_from(events), max_size=3) if events else st.just([]),
                            label="sent twice")
    arrivals = data.draw(st.permutations(events + redelivered), label="arrival order")
    cuts = sorted(data.draw(st.lists(st.integers(0, len(arrivals)), max_size=2), label="cuts"))
    for start, end in zip([0, *cuts], [*cuts, len(arrivals)]):
        post_in_batches(api, arrivals[start:end])
        consume()
        assert stored_weeks(runtime) == weeks_from_records(runtime)
        assert stored_counts(runtime) == counts_from_records(runtime)
    assert parked(runtime) == 0  # each event took effect, none was refused on the way


@examples(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(drawn_outputs=outputs, drawn_attendance=attendance, drawn_places=places, drawn_statuses=statuses,
       data=st.data())
def test_the_kept_weeks_and_their_counts_are_those_of_the_stored_records(
        api, consume, county, runtime, drawn_outputs, drawn_attendance, drawn_places, drawn_statuses, data):
    sites, workers = register_example(api, next(_examples), drawn_places, drawn_statuses)
    arrive(api, consume, runtime, data, work(sites, workers, drawn_outputs, drawn_attendance))
    kept, afresh = glances(runtime, COUNTY, date(2026, 2, 23), date(2026, 3, 15))
    assert kept == afresh


def test_a_correction_of_the_last_day_at_work_of_a_week_removes_the_week_and_its_counts(api, consume, county, runtime):
    sites, [worker, _] = register_example(api, "last")
    day = {"worker_id": worker, "site_id": sites["tea"], "date": "2026-03-04"}
    post_in_batches(api, [work_event("attendance.recorded", "2026-03-04T18:00:00+08:00",
                                     {**day, "status": "present"})])
    consume()
    assert (worker, sites["tea"], date(2026, 3, 2)) in stored_weeks(runtime)
    post_in_batches(api, [work_event("attendance.recorded", "2026-03-04T18:30:00+08:00", {**day, "status": "absent"})])
    consume()
    assert not {week for week in stored_weeks(runtime) if week[0] == worker}
    assert stored_counts(runtime) == counts_from_records(runtime)  # its area's week, now empty, is gone too


def test_a_rebuild_restores_the_same_weeks(app, api, consume, runtime):
    register(api, scenario := build_scenario(seed=7))
    post_in_batches(api, scenario.events)
    consume()
    before = stored_weeks(runtime)
    assert before and before == weeks_from_records(runtime)
    assert app.test_cli_runner().invoke(args=["rebuild"]).exit_code == 0
    assert stored_weeks(runtime) == set()  # its records are gone too, until the replay
    consume()
    assert stored_weeks(runtime) == before
