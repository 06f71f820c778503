"""Matching's kept rows equal rows made from scratch after any sequence of what changes them, each applied the way
the app applies it (a profile put, a status change, a hire into a full- or part-time post, a household's move or
new status, an alert raised, acknowledged or resolved, a vacancy posted, filled or closed), on SQLite and
PostgreSQL; `flask rebuild`'s refill makes them again. That rows made from scratch rank as the pure rules do is
tests/integration/test_matching_sql.py's."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

import matching
import payroll
from app.alerts.evaluation import _store_new
from app.alerts.findings import Subject
from app.alerts.status import acknowledge_alert, resolve_alert
from app.db import make_engine, make_session_factory
from app.db.models import (
    Alert,
    Assignment,
    Household,
    LabourProfile,
    LabourStatus,
    LabourStatusChange,
    LabourStatusDay,
    LabourStatusWeek,
    MatchLabourer,
    MatchVacancy,
    Referral,
    Region,
    Site,
    Vacancy,
    Worker,
)
from app.jobs.match_rows import labourer_rows, refill_match_rows, vacancy_rows
from app.jobs.profiles import save_profile
from app.ledger.labour import record_status
from app.ledger.referrals import apply_referral_hired, apply_referral_made, referral_problem
from app.ledger.vacancies import apply_vacancy_closed, apply_vacancy_filled, apply_vacancy_posted
from app.migrate import upgrade_database
from app.registry.households import change_household
from events import REFERRAL_HIRED, REFERRAL_MADE, WorkEvent

NOW = datetime(2026, 12, 1, tzinfo=UTC)
LEVELS = ("province", "city", "county", "township", "village")
# two provinces; under one, a city with two counties, one with two townships, one of them with two villages
REGIONS = [("36",), ("44",), ("36", "3601"), ("36", "3601", "360101"), ("36", "3601", "360102"),
           ("36", "3601", "360101", "360101001"), ("36", "3601", "360101", "360101002"),
           ("36", "3601", "360101", "360101001", "360101001201"), ("36", "3601", "360101", "360101001", "360101001202")]
HOUSEHOLDS = 3
WORKERS = 6  # two a household
VACANCIES = 4
DAYS = st.dates(date(2026, 11, 1), date(2027, 2, 1))
EXAMPLES = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def text(path: tuple[str, ...]) -> str:
    return "/" + "".join(code + "/" for code in path)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def writers(request, tmp_path_factory):
    """A migrated database's sessions, holding the region tree and a site in each region."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('match_rows') / 'match_rows.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database("t_match_rows")
    upgrade_database(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        session.add_all(Region(code=path[-1], name=path[-1], level=LEVELS[len(path) - 1],
                               parent_code=path[-2] if len(path) > 1 else None, path=text(path)) for path in REGIONS)
        session.add_all(Site(id=f"s{path[-1]}", kind="workshop", name="site", region_code=path[-1]) for path in REGIONS)
    yield sessions
    engine.dispose()


worker = st.integers(0, WORKERS - 1)
vacancy = st.integers(0, VACANCIES - 1)
household = st.integers(0, HOUSEHOLDS - 1)
region = st.sampled_from(REGIONS)
steps = st.one_of(
    st.tuples(st.just("profile"), worker, st.sampled_from(matching.TRAVEL_RANGES), st.sampled_from(matching.DEMANDS)),
    st.tuples(st.just("status"), worker, st.sampled_from(["idle", "working_local", "working_away"]), DAYS,
              st.none() | DAYS),
    st.tuples(st.just("post"), vacancy, region, st.sampled_from(matching.DEMANDS), st.booleans(), st.none() | DAYS,
              st.integers(1, 2)),
    st.tuples(st.just("hire"), worker, vacancy, DAYS),
    st.tuples(st.just("fill"), vacancy), st.tuples(st.just("close"), vacancy),
    st.tuples(st.just("household"), household, st.sampled_from(matching.HOUSEHOLD_STATUSES),
              st.sampled_from([path for path in REGIONS if len(path) >= 3])),
    st.tuples(st.just("alert"), household, st.sampled_from(["2026-10", "2026-11"])),
    st.tuples(st.just("handle"), household))


def _event(type: str, id: str, data: dict) -> WorkEvent:
    return WorkEvent(id=id, type=type, source="test", time=NOW, data=data)


def _profile(session, step) -> None:
    _, w, reach, heaviest = step
    save_profile(session, f"w{w}", {"skills": ["sewing"], "travel_range": reach, "max_physical_demand": heaviest})


def _status(session, step, n: int) -> None:
    _, w, status, day, until = step
    record_status(session, _event("labour.status_changed", f"e-status-{n}", {"worker_id": f"w{w}"}), status, day,
                  until=until if until is None or until >= day else None)


def _post(session, step, n: int) -> None:
    _, v, path, demand, full_time, end, count = step
    apply_vacancy_posted(session, _event("vacancy.posted", f"e-post-{n}", {
        "vacancy_id": f"v{v}", "employer_id": None, "site_id": f"s{path[-1]}", "title": "post", "kind": None,
        "count": count, "skills": [], "physical_demand": demand, "scheme": {"kind": "daily", "day_rate_fen": 10_000},
        "full_time": full_time, "start_date": date(2026, 11, 1), "end_date": end, "housing": False,
        "poor_first": False, "description": None, "posted_by": "test"}))


def _hire(session, step, n: int) -> None:
    _, w, v, day = step
    referral = {"referral_id": f"r{w}-{v}", "vacancy_id": f"v{v}", "worker_id": f"w{w}"}
    made = _event(REFERRAL_MADE, f"e-made-{n}", {**referral, "note": None, "referred_by": "test"})
    if session.get(Vacancy, f"v{v}") is None or referral_problem(session, made):
        return
    apply_referral_made(session, made)
    hired = _event(REFERRAL_HIRED, f"e-hired-{n}", {**referral, "start_date": day, "assignment_id": f"a-{n}"})
    if referral_problem(session, hired) is None:
        apply_referral_hired(session, hired)


def _vacancy_ends(session, step, n: int) -> None:
    kind, v = step
    if session.get(Vacancy, f"v{v}") is not None:
        apply = apply_vacancy_filled if kind == "fill" else apply_vacancy_closed
        apply(session, _event(f"vacancy.{kind}ed", f"e-{kind}-{n}", {"vacancy_id": f"v{v}", "reason": "test"}))


def _household(session, step) -> None:
    _, h, status, path = step
    change_household(session, session.get(Household, f"h{h}"), {"status": status, "region_code": path[-1]},
                     "2026-12")


def _alert(session, step) -> None:
    _, h, month = step
    home = session.get(Household, f"h{h}")
    path = session.scalar(select(Region.path).where(Region.code == home.region_code))
    _store_new(session, iter([(Subject("household", home.id, home.id, home.region_code, path),
                               payroll.Finding("below_line", month, {}))]))


def _handle(session, step) -> None:
    """The household's first alert not resolved moves one step on: acknowledged, or resolved."""
    _, h = step
    for alert in session.scalars(select(Alert).where(Alert.household_id == f"h{h}").order_by(Alert.month)):
        if alert.status == "open":
            acknowledge_alert(alert, "token", None)
            return
        if alert.status == "acknowledged":
            resolve_alert(alert, "token", "a job")
            return


def _apply(session, step, n: int) -> None:
    kind = step[0]
    if kind == "profile":
        _profile(session, step)
    elif kind == "status":
        _status(session, step, n)
    elif kind == "post":
        if session.get(Vacancy, f"v{step[1]}") is None:
            _post(session, step, n)
    elif kind == "hire":
        _hire(session, step, n)
    elif kind in ("fill", "close"):
        _vacancy_ends(session, step, n)
    elif kind == "household":
        _household(session, step)
    elif kind == "alert":
        _alert(session, step)
    else:
        _handle(session, step)


def _reset(session) -> None:
    for model in (MatchLabourer, MatchVacancy, Alert, Referral, LabourStatus, LabourStatusChange, LabourStatusDay,
                  LabourStatusWeek, LabourProfile, Assignment, Vacancy, Worker, Household):
        session.execute(delete(model))
    session.add_all(Household(id=f"h{h}", region_code=REGIONS[-1 - h][-1], size=2, status="other")
                    for h in range(HOUSEHOLDS))
    session.flush()
    session.add_all(Worker(id=f"w{w}", household_id=f"h{w // 2}", name=f"w{w}") for w in range(WORKERS))


def _rows(session, query) -> set[tuple]:
    """The rows as a set, the skills (a JSON list) as a tuple."""
    return {tuple(tuple(value) if isinstance(value, list) else value for value in row)
            for row in session.execute(query)}


def _kept(session) -> tuple[set, set]:
    return _rows(session, select(MatchLabourer.__table__)), _rows(session, select(MatchVacancy.__table__))


def _from_scratch(session) -> tuple[set, set]:
    return _rows(session, labourer_rows()), _rows(session, vacancy_rows())


@EXAMPLES
@given(story=st.lists(steps, min_size=1, max_size=25))
@example(story=[("profile", 0, "county", "heavy"), ("alert", 0, "2026-11"), ("handle", 0), ("handle", 0)])
@example(story=[("profile", 1, "province", "medium"), ("household", 0, "poor", REGIONS[3]),
                ("household", 0, "other", REGIONS[-2])])
@example(story=[("profile", 2, "county", "heavy"), ("post", 0, REGIONS[2], "light", False, None, 1),
                ("status", 2, "working_local", date(2026, 11, 1), None), ("hire", 2, 0, date(2026, 12, 1))])
@example(story=[("post", 1, REGIONS[4], "heavy", True, None, 2), ("fill", 1), ("post", 2, REGIONS[0], "light",
                                                                                    True, None, 1), ("close", 2)])
def test_the_kept_rows_equal_rows_made_from_scratch_after_every_step(writers, story):
    with writers.begin() as session:
        _reset(session)
    for n, step in enumerate(story):
        with writers.begin() as session:
            _apply(session, step, n)
        with writers() as session:
            assert _kept(session) == _from_scratch(session), step


def test_the_refill_makes_every_row_again(writers):
    with writers.begin() as session:
        _reset(session)
        for n, step in enumerate([("profile", 0, "county", "heavy"), ("profile", 3, "village", "light"),
                                  ("post", 1, REGIONS[3], "medium", True, None, 2),
                                  ("status", 0, "working_away", date(2026, 11, 2), None)]):
            _apply(session, step, n)
    with writers.begin() as session:
        kept = _kept(session)
        session.execute(delete(MatchLabourer))
        session.execute(delete(MatchVacancy))
        refill_match_rows(session)
    with writers() as session:
        assert _kept(session) == kept
        assert len(kept[0]) == 2 and len(kept[1]) == 1
        busy = session.get(MatchLabourer, "w0")
        assert (busy.busy_from, busy.busy_until, busy.reach, busy.heaviest) == (date(2026, 11, 2), None, 3, 2)
