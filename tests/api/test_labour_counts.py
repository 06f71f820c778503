"""The counts of labourers by status kept change by change, in any order and with the willingness to go out
changing in between, are those counting every history again gives, and answer as the changes themselves do."""
from __future__ import annotations

import io
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from openpyxl import load_workbook
from support.labour_counts import (
    apply_one_at_a_time,
    histories,
    kept_and_from_the_changes,
    kept_and_refilled,
    working_from_the_assignments,
)
from support.return_to_work import day

from app.db.models import Region
from app.jobs.stats_sheet import COLUMNS


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(drawn=histories)
def test_counts_kept_change_by_change_answer_as_the_changes_do(runtime, drawn):
    (people, baselines), shuffle, flips, as_of, work = drawn
    world = apply_one_at_a_time(runtime, people, baselines, shuffle, flips, work)

    kept, refilled = kept_and_refilled(runtime, [world.code, *world.villages])
    assert kept == refilled
    for code in (world.code, *world.villages):
        found, counted = kept_and_from_the_changes(runtime, code, day(as_of))
        assert found == counted


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(drawn=histories)
def test_working_locally_and_away_in_the_api_and_workbook_are_what_the_assignments_say(api, runtime, drawn):
    """Labourers whose only changes are their assignments (made, and their ends changed, in any order): the
    figures of the API and of the weeks' workbook are those worked out here from the assignments alone."""
    (people, baselines), shuffle, flips, as_of, work = drawn
    world = apply_one_at_a_time(runtime, [replace(person, changes=()) for person in people], baselines, shuffle,
                                flips, work)
    kept, refilled = kept_and_refilled(runtime, [world.code, *world.villages])
    assert kept == refilled
    on = day(as_of)
    with runtime.readers() as session:
        naive = working_from_the_assignments(session, session.get(Region, world.code), on)
    figures = api.get("/stats/return-to-work", region=world.code, date=str(on)).json["figures"]
    assert (figures["working_local"], figures["working_away"]) == (naive["working_local"], naive["working_away"])
    assert figures["returned_to_work"] == naive["working_local"] + naive["working_away"]
    # one week, as of its last day asked for: `on`
    sheet = api.get("/stats/return-to-work/weeks.xlsx", **{"region": world.code, "from": str(on), "to": str(on)})
    rows = list(load_workbook(io.BytesIO(sheet.data)).active.iter_rows(min_row=3, values_only=True))
    local, away = COLUMNS.index("working_local"), COLUMNS.index("working_away")
    assert [(row[local], row[away]) for row in rows] == [(naive["working_local"], naive["working_away"])]
