"""The counts of labourers by status kept change by change, in any order and with the willingness to go out
changing in between, are those counting every history again gives, and answer as the changes themselves do."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from support.labour_counts import apply_one_at_a_time, histories, kept_and_from_the_changes, kept_and_refilled
from support.return_to_work import day


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(drawn=histories)
def test_counts_kept_change_by_change_answer_as_the_changes_do(runtime, drawn):
    (people, baselines), shuffle, flips, as_of = drawn
    world = apply_one_at_a_time(runtime, people, baselines, shuffle, flips)

    kept, refilled = kept_and_refilled(runtime, [world.code, *world.villages])
    assert kept == refilled
    for code in (world.code, *world.villages):
        found, counted = kept_and_from_the_changes(runtime, code, day(as_of))
        assert found == counted
