"""On PostgreSQL (its upserts, and the share lock the consumers read a labourer's household region under): a
household moved to another county, inside its county and back takes its labourers' kept counts by status with it,
and a change kept after the move counts in its new areas, as counting every history again would."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from support.household_moves import assert_kept_as_counted_afresh, move, write_two_counties
from support.return_to_work import Labourer, day

from app.ledger.labour import record_status
from events import WorkEvent

pytestmark = pytest.mark.postgres
BACK = Labourer(village=0, poor=True, willing=True, worked=frozenset({(0, 1), (2, 3)}),
                changes=(("working_away", 0, None), ("returned", 9, None), ("working_local", 20, 30)))
STAYED = Labourer(village=1, poor=False, willing=None, changes=(("working_away", 3, None),))


def test_a_household_moved_takes_its_kept_counts_with_it(pg_runtime):
    here, there = write_two_counties(pg_runtime, [BACK, STAYED], {})
    household = worker = f"{here.code}-w0"
    for region in (there.villages[1], there.villages[0], here.villages[1]):
        move(pg_runtime, household, region)
        assert_kept_as_counted_afresh(pg_runtime, (here, there), 25)

    with pg_runtime.sessions.begin() as session:
        record_status(session, WorkEvent(id=f"{worker}-later", type="labour.status_changed", source="test",
                                         time=datetime(2026, 2, 1, tzinfo=UTC), data={"worker_id": worker}),
                      "idle", day(40))
    assert_kept_as_counted_afresh(pg_runtime, (here, there), 45)
