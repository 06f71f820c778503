"""How long a labourer had been without work when hired, against a walk back one day at a time; and the median."""
from __future__ import annotations

import statistics
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.jobs.spells import WITHOUT_WORK, idle_since, median
from labour.status import Change, status_on

START = date(2026, 3, 1)
days = st.integers(0, 40).map(lambda n: START + timedelta(days=n))
changes = st.lists(st.builds(Change, status=st.sampled_from(["idle", "returned", "working_local", "working_away"]),
                             effective=days, until=st.none() | days,
                             recorded_at=st.sampled_from(["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"]),
                             event_id=st.uuids().map(str)), max_size=6)


@settings(max_examples=100, deadline=None)
@given(changes, days)
def test_idle_since_is_the_first_day_of_the_days_without_work_just_before_the_hire(history, hired):
    since, back = None, hired - timedelta(days=1)
    while status_on(history, back) in WITHOUT_WORK:
        since, back = back, back - timedelta(days=1)

    assert idle_since(history, hired) == since


def test_a_hire_after_a_temporary_post_ended_counts_from_the_day_after_it():
    history = [Change("idle", START, "2026-01-01T00:00:00Z", "a"),
               Change("working_local", START + timedelta(days=3), "2026-01-01T00:00:00Z", "b", START + timedelta(5))]

    assert idle_since(history, START + timedelta(days=10)) == START + timedelta(days=6)
    assert idle_since(history, START + timedelta(days=5)) is None  # still at the post the day before


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 400)))
def test_the_median_is_the_middle_value(values):
    assert median(values) == (statistics.median(values) if values else None)
