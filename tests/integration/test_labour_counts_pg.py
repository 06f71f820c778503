"""On PostgreSQL (its own upserts, dates and booleans): the counts of labourers by status kept change by change
are those counting every history again gives, answer as the changes themselves do, and the figures read from them
are those worked out one labourer and one day at a time; the migration counts the histories it finds alike."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import text
from support.labour_counts import (
    apply_one_at_a_time,
    histories,
    kept_and_from_the_changes,
    kept_and_refilled,
    working_from_the_assignments,
)
from support.return_to_work import START, Labourer, day, expected, write_county

from app.db.models import Region
from app.jobs.stats import return_to_work
from app.migrate import upgrade_database

pytestmark = pytest.mark.postgres
AWAY = Labourer(village=0, poor=True, willing=None, changes=(("working_away", 0, None),))
STATUSES = ("working_local", "working_away")  # the willingness turns over in between


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(drawn=histories)
def test_counts_kept_change_by_change_answer_as_the_changes_do(pg_runtime, drawn):
    (people, baselines), shuffle, flips, as_of, _ = drawn
    world = apply_one_at_a_time(pg_runtime, people, baselines, shuffle, flips)

    kept, refilled = kept_and_refilled(pg_runtime, [world.code, *world.villages])
    assert kept == refilled
    for village, code in ((None, world.code), (0, world.villages[0]), (1, world.villages[1])):
        found, counted = kept_and_from_the_changes(pg_runtime, code, day(as_of))
        assert found == counted
        with pg_runtime.readers() as session:
            figures = return_to_work(session, session.get(Region, code), day(as_of))
        naive = expected(world, date(START.year, 1, 1), day(as_of), village)
        assert {name: getattr(figures, name) for name in STATUSES} == {name: naive[name] for name in STATUSES}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(drawn=histories)
def test_work_from_assignments_keeps_the_counts_as_a_count_from_scratch_and_the_figures_as_the_assignments_say(
        pg_runtime, drawn):
    """Assignments made and their ends changed among the cadres' changes, in any order: the counts kept are a
    refill's and answer as the history does; with the assignments alone, the figures are those the assignments
    give, worked out here without the history."""
    (people, baselines), shuffle, flips, as_of, work = drawn
    for changes in (True, False):
        drawn_people = people if changes else [replace(person, changes=()) for person in people]
        world = apply_one_at_a_time(pg_runtime, drawn_people, baselines, shuffle, flips, work)
        kept, refilled = kept_and_refilled(pg_runtime, [world.code, *world.villages])
        assert kept == refilled
        for code in (world.code, *world.villages):
            found, counted = kept_and_from_the_changes(pg_runtime, code, day(as_of))
            assert found == counted
            if not changes:
                with pg_runtime.readers() as session:
                    region = session.get(Region, code)
                    figures = return_to_work(session, region, day(as_of))
                    naive = working_from_the_assignments(session, region, day(as_of))
                assert {name: getattr(figures, name) for name in STATUSES} == {name: naive[name] for name in STATUSES}


def test_the_migration_counts_the_histories_it_finds_as_a_refill_does(pg_runtime, pg_url):
    back = Labourer(village=1, poor=False, willing=True, changes=(("working_away", 0, None), ("returned", 9, None),
                                                                  ("working_local", 20, 30)))
    with pg_runtime.sessions.begin() as session:
        write_county(session, [AWAY, back, back], {})  # written straight, and counted by a refill
    with pg_runtime.sessions.begin() as session:
        before = _counts(session)
        session.execute(text("DELETE FROM labour_status_days"))
        session.execute(text("DELETE FROM labour_status_weeks"))
        session.execute(text("DROP TABLE labour_status_days, labour_status_weeks"))
        session.execute(text("DROP INDEX ix_referrals_referred_at, ix_referrals_hired_at"))
        head = session.scalar(text("SELECT version_num FROM alembic_version"))
        session.execute(text("UPDATE alembic_version SET version_num = '0019'"))  # the revision before 0020
    upgrade_database(pg_url, "0020")
    with pg_runtime.sessions.begin() as session:  # the later revisions' tables are there as they were
        session.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head})

    with pg_runtime.sessions.begin() as session:
        assert _counts(session) == before and before


def _counts(session) -> set:
    return {tuple(row) for table in ("labour_status_weeks", "labour_status_days")
            for row in session.execute(text(f"SELECT * FROM {table}"))}
