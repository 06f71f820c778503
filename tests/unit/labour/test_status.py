"""A labourer's status on a day does not depend on the order its changes arrived in."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from labour.status import Change, latest, status_after_hire, status_on

DAY = date(2026, 3, 1)

changes = st.lists(st.builds(
    Change, st.sampled_from(["idle", "working_local", "working_away", "returned"]),
    st.integers(0, 20).map(lambda n: DAY + timedelta(days=n)), st.sampled_from(["a", "b"]),
    st.uuids().map(str), st.none()), max_size=8, unique_by=lambda change: change.event_id)


@settings(max_examples=60)
@given(changes, st.randoms(), st.integers(0, 25))
def test_the_status_on_a_day_is_the_same_in_any_order(recorded, shuffle, offset):
    shuffled = list(recorded)
    shuffle.shuffle(shuffled)
    day = DAY + timedelta(days=offset)
    assert status_on(shuffled, day) == status_on(recorded, day)
    assert latest(shuffled) == latest(recorded)


def test_a_temporary_hire_leaves_the_labourer_idle_after_its_end():
    hire = Change("working_local", DAY, "a", "e1", until=DAY + timedelta(days=30))
    assert status_on([hire], DAY - timedelta(days=1)) is None
    assert status_on([hire], DAY + timedelta(days=30)) == "working_local"
    assert status_on([hire], DAY + timedelta(days=31)) == "idle"


def test_a_hire_in_the_own_county_is_local_and_elsewhere_away():
    assert status_after_hire("/36/3607/360702/", "/36/3607/360702/360702101/") == "working_local"
    assert status_after_hire("/36/3607/360702/", "/44/4419/") == "working_away"
    assert status_after_hire(None, "/36/3607/360702/") == "working_away"
