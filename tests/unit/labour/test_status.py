"""A labourer's status on a day does not depend on the order its changes arrived in."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from labour.status import (
    Change,
    Run,
    Spell,
    count_moves,
    latest,
    status_after_hire,
    status_on,
    stretches,
    work_runs,
)

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


spells = st.lists(st.builds(
    lambda start, length, local, n: Spell(DAY + timedelta(days=start),
                                          None if length is None else DAY + timedelta(days=start + length), local,
                                          f"as{n}"),
    st.integers(0, 20), st.none() | st.integers(0, 10), st.booleans(), st.integers(0, 99)),
    max_size=5, unique_by=lambda spell: spell.assignment_id)


def as_changes(runs):
    return [Change(run.status, run.start, "t", f"e{n}", until=run.until) for n, run in enumerate(runs)]


@settings(max_examples=80)
@given(spells, st.integers(-2, 40))
def test_the_runs_from_assignments_say_on_each_day_what_the_assignments_say(held, offset):
    """Written again from the words: at work on a day some assignment covers, locally when one of those is in the
    county; idle after the first day of work on days none covers; nothing before."""
    day = DAY + timedelta(days=offset)
    covering = [spell for spell in held if spell.start <= day and (spell.end is None or day <= spell.end)]
    if covering:
        expected = "working_local" if any(spell.local for spell in covering) else "working_away"
    else:
        expected = "idle" if any(spell.start <= day for spell in held) else None
    runs = work_runs(held)
    assert status_on(as_changes(runs), day) == expected
    assert all(a.until is not None and a.until < b.start for a, b in zip(runs, runs[1:]))  # never overlapping
    assert work_runs(reversed(held)) == runs
    named = {spell.assignment_id: spell for spell in held}
    assert all(named[run.assignment_id].start <= run.start and named[run.assignment_id].local == (
        run.status == "working_local") for run in runs)  # a run names an assignment of its status under way


def test_overlapping_assignments_name_the_newest_and_work_near_home_counts_first():
    at_home = Spell(DAY, DAY + timedelta(days=9), True, "a1")
    away = Spell(DAY + timedelta(days=5), DAY + timedelta(days=20), False, "a2")
    assert work_runs([away, at_home]) == [
        Run("working_local", DAY, DAY + timedelta(days=9), "a1"),
        Run("working_away", DAY + timedelta(days=10), DAY + timedelta(days=20), "a2")]
    assert work_runs([at_home, Spell(DAY + timedelta(days=3), DAY + timedelta(days=5), True, "a3")]) == [
        Run("working_local", DAY, DAY + timedelta(days=2), "a1"),
        Run("working_local", DAY + timedelta(days=3), DAY + timedelta(days=5), "a3"),
        Run("working_local", DAY + timedelta(days=6), DAY + timedelta(days=9), "a1")]
    assert count_moves(as_changes(work_runs([at_home, Spell(DAY + timedelta(days=10), None, True, "a3")]))) == {
        (DAY, "working_local"): 1}
