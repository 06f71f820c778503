"""A household moved to another region takes its labourers' kept counts by status with it, from the areas of the
region it left to those of the new one (its county keeps them on a move inside it), as counting every history
again would; the counts of the weeks at work, kept by the sites' regions, stay as a count from scratch gives."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.household_moves import assert_kept_as_counted_afresh, move, write_two_counties
from support.return_to_work import counties


@pytest.mark.parametrize("where", ["to another county", "inside its county", "away and back"])
@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(drawn=counties.filter(lambda drawn: drawn[0]), number=st.integers(0, 7), as_of=st.integers(0, 55))
def test_a_household_moved_takes_its_kept_counts_with_it(runtime, where, drawn, number, as_of):
    people, baselines = drawn
    here, there = write_two_counties(runtime, people, baselines)
    number %= len(people)
    village = people[number].village
    regions = {"to another county": [there.villages[1]], "inside its county": [here.villages[1 - village]],
               "away and back": [there.villages[0], here.villages[village]]}[where]
    for region in regions:
        move(runtime, f"{here.code}-w{number}", region)
        assert_kept_as_counted_afresh(runtime, (here, there), as_of)
