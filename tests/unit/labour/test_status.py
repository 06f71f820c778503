"""A labourer's status on a day does not depend on the order its changes arrived in."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from labour.status import Change, count_moves, latest, status_after_hire, status_on, stretches

DAY = date(2026, 3, 1)

changes = st.lists(st.builds(
    Change, st.sampled_from(["idle", "working_local", "working_away", "returned"]),
    st.integers(0, 20).map(lambda n: DAY + timedelta(days=n)), st.sampled_from(["a", "b"]),
    st.uuids().map(str), st.none()), max_size=8, unique_by=lambda change: change.event_id)
with_ends = st.lists(st.builds(
    Change, st.sampled_from(["idle", "working_local", "working_away", "returned"]),
    st.integers(0, 20).map(lambda n: DAY + timedelta(days=n)), st.sampled_from(["a", "b"]),
    st.uuids().map(str), st.none() | st.integers(0, 20).map(lambda n: DAY + timedelta(days=n))),
    max_size=6, unique_by=lambda change: change.event_id)


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


@settings(max_examples=60)
@given(with_ends)
def test_the_runs_of_a_status_and_the_moves_of_the_counts_give_the_status_of_every_day(recorded):
    runs, moves = stretches(recorded), count_moves(recorded)
    for offset in range(-1, 24):
        day = DAY + timedelta(days=offset)
        run = [state for first, state in runs if first <= day][-1:]
        counted = {state for state, n in _summed(moves, day).items() if n}
        assert run == ([] if status_on(recorded, day) is None else [status_on(recorded, day)])
        assert counted == set(run)
        assert all(n in (0, 1) for n in _summed(moves, day).values())
    assert all(a[1] != b[1] for a, b in zip(runs, runs[1:]))


def _summed(moves, day):
    total = {}
    for (first, state), n in moves.items():
        if first <= day:
            total[state] = total.get(state, 0) + n
    return total
