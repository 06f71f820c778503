"""A monthly line is paid from its month's days counted by status (`load_facts`, a query for a batch's keys, and
one more for the days of months its assignments share out), and comes out as from reading each day
(`compute_line` with nothing loaded), whatever days the assignments cover: one assignment for the whole month, or
several at the same post that share it out. With the loaded facts, paying queries nothing."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from app.db.base import make_engine, make_session_factory
from app.db.models import Assignment, AttendanceRecord, Household, Region, Site, Worker
from app.ledger.facts import compute_line, load_facts
from app.ledger.terms import assignment_terms
from app.migrate import upgrade_database

MARCH = date(2026, 3, 1)
STATUSES = ("present", "half_day", "absent", "leave")
POST, OTHER_POST = "post-m", "post-other"
SCHEME = {"kind": "monthly", "stipend_fen": 60_000, "required_days": 21}


@pytest.fixture(scope="module")
def sessions(tmp_path_factory):
    """A migrated SQLite database with worker w-m and two public-welfare posts; each example rolls back."""
    url = f"sqlite:///{tmp_path_factory.mktemp('months') / 'months.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory.begin() as session:
        for row in (Region(code="36-m", name="M", level="county", path="/36-m/"),
                    Household(id="h-m", region_code="36-m", size=2, status="poor"),
                    Worker(id="w-m", household_id="h-m", name="Zhao"),
                    Site(id=POST, kind="post", name="Roads", region_code="36-m"),
                    Site(id=OTHER_POST, kind="post", name="Forest", region_code="36-m")):
            session.add(row)
            session.flush()  # in this order: the models declare no relationships for the flush to follow
    yield factory
    engine.dispose()


def _queries(session) -> list[str]:
    """The SQL statements `session`'s connection runs from now on."""
    seen: list[str] = []
    event.listen(session.connection(), "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def _record(site: str, day: date, status: str) -> AttendanceRecord:
    return AttendanceRecord(worker_id="w-m", site_id=site, work_date=day, event_id=f"e-{site}-{day}",
                            recorded_at="2026-04-01T00:00:00.000000Z", status=status)


def _assign(session, starts: list[date], open_ended: bool) -> None:
    """Assignments at POST one after another from each start, the last open-ended or ten days long."""
    last_end = None if open_ended else starts[-1] + timedelta(days=9)
    ends = [start - timedelta(days=1) for start in starts[1:]] + [last_end]
    for n, (start, end) in enumerate(zip(starts, ends)):
        session.add(Assignment(id=f"a-m{n}", worker_id="w-m", site_id=POST, start_date=start, end_date=end,
                               scheme=SCHEME))
    session.add(Assignment(id="a-other", worker_id="w-m", site_id=OTHER_POST, start_date=date(2026, 1, 1),
                           scheme=SCHEME))


@settings(max_examples=60, deadline=None)
@given(starts=st.lists(st.dates(date(2026, 2, 20), date(2026, 3, 31)), min_size=1, max_size=3, unique=True).map(sorted),
       open_ended=st.booleans(),
       days=st.dictionaries(st.integers(0, 30), st.sampled_from(STATUSES), max_size=31),
       elsewhere=st.dictionaries(st.integers(0, 30), st.sampled_from(STATUSES), max_size=5))
def test_a_month_counted_by_status_pays_as_its_days_read_one_by_one(sessions, starts, open_ended, days, elsewhere):
    with sessions() as session:
        _assign(session, starts, open_ended)
        session.flush()
        session.add_all([_record(POST, MARCH + timedelta(days=n), status) for n, status in days.items()]
                        + [_record(OTHER_POST, MARCH + timedelta(days=n), status) for n, status in elsewhere.items()])
        session.flush()
        terms = assignment_terms(session, Assignment.worker_id == "w-m")
        loaded = load_facts(session, [(a, MARCH) for a in terms])
        queries = _queries(session)
        paid = [compute_line(session, assignment, MARCH, loaded) for assignment in terms]
        assert queries == []
        assert paid == [compute_line(session, assignment, MARCH) for assignment in terms]
        session.rollback()


def test_a_month_the_assignment_covers_whole_is_paid_from_its_counts_alone(sessions):
    with sessions() as session:
        _assign(session, [date(2026, 2, 1)], open_ended=True)
        session.flush()
        session.add_all([_record(POST, MARCH + timedelta(days=n), STATUSES[n % 4]) for n in range(20)])
        session.flush()
        (assignment, _) = sorted(assignment_terms(session, Assignment.worker_id == "w-m"), key=lambda a: a.site_id)
        loaded = load_facts(session, [(assignment, MARCH)])
        assert not loaded.month_days  # the counts alone
        queries = _queries(session)
        amount, facts = compute_line(session, assignment, MARCH, loaded)
        # 5 present, 5 half days, 5 absent, 5 on leave: 7.5 credits of 21 required
        assert (amount, facts, queries) == (21_429, {"days_recorded": 20, "credits": "7.5", "required_days": 21}, [])
        session.rollback()
