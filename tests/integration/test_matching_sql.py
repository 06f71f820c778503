"""The matching SQL ranks exactly as the pure rules of `matching` would over the whole country, on SQLite and on
PostgreSQL alike: its hard filters (rings of the region tree, travel range, physical demand, at work full time or
part time, vacancies ended or full) and the households' need (income over the last year, an open alert) are the
rules' own, read from the tables."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

import matching
import payroll
from app.db import make_engine, make_read_engine, make_read_session_factory, make_session_factory
from app.db.models import (
    Alert,
    Assignment,
    Household,
    LabourProfile,
    LabourStatus,
    MatchLabourer,
    MatchVacancy,
    Referral,
    Region,
    Site,
    Vacancy,
    Worker,
    WorkerMonthIncome,
)
from app.jobs import matching as jobs
from app.jobs.match_rows import refill_match_rows
from app.migrate import upgrade_database

TODAY = date(2026, 12, 7)
LAST_YEAR = {"2025-12", *(f"2026-{month:02d}" for month in range(1, 12))}  # the 12 finished months before TODAY
MONTHS = ["2025-10", "2025-11", *sorted(LAST_YEAR), "2026-12"]
THRESHOLDS = payroll.AlertThresholds(default_monitoring_line_fen=600_000)
SKILLS = ("cooking", "masonry", "sewing", "driving")
NOW = datetime(2026, 12, 1, tzinfo=UTC)
EXAMPLES = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _tree() -> list[tuple[str, ...]]:
    """Two provinces, two of each region under each, down to villages: every ring of the tree occurs."""
    paths = [(province,) for province in ("36", "44")]
    for _ in range(4):
        paths += [path + (path[-1] + branch,) for path in paths if len(path) == len(paths[-1]) for branch in "12"]
    return paths


REGIONS = _tree()
LEVELS = ("province", "city", "county", "township", "village")


def text(path: tuple[str, ...]) -> str:
    return "/" + "".join(code + "/" for code in path)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def databases(request, tmp_path_factory):
    """A writer and a reader of a migrated database holding the region tree."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('matching') / 'matching.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database("t_matching_sql")
    upgrade_database(url)
    engine = make_engine(url)
    writers = make_session_factory(engine)
    with writers.begin() as session:
        session.add_all(Region(code=path[-1], name=path[-1], level=LEVELS[len(path) - 1],
                               parent_code=path[-2] if len(path) > 1 else None, path=text(path)) for path in REGIONS)
        session.add_all(Site(id=f"s{path[-1]}", kind="workshop", name="site", region_code=path[-1]) for path in REGIONS)
    yield writers, make_read_session_factory(make_read_engine(engine))
    engine.dispose()


people = st.fixed_dictionaries({
    "region": st.sampled_from([path for path in REGIONS if len(path) >= 3]), "size": st.integers(1, 4),
    "status": st.sampled_from(matching.HOUSEHOLD_STATUSES), "alert": st.sampled_from([None, "open", "resolved"]),
    "members": st.lists(st.fixed_dictionaries({
        "profile": st.none() | st.fixed_dictionaries({
            "skills": st.lists(st.sampled_from(SKILLS), max_size=3, unique=True),
            "travel_range": st.sampled_from(matching.TRAVEL_RANGES), "heaviest": st.sampled_from(matching.DEMANDS),
            # either side of the age for heavy work, or not known
            "birth_year": st.none() | st.integers(TODAY.year - matching.HEAVY_WORK_LAST_AGE - 2,
                                                  TODAY.year - matching.HEAVY_WORK_LAST_AGE + 2)}),
        "work": st.sampled_from([None, "idle", "working", "ended", "later", "part_time"]),
        "income": st.dictionaries(st.sampled_from(MONTHS), st.integers(0, 400_000), max_size=4)}),
        min_size=1, max_size=2)})
posts = st.fixed_dictionaries({
    "region": st.sampled_from(REGIONS), "skills": st.lists(st.sampled_from(SKILLS), max_size=2, unique=True),
    "demand": st.sampled_from(matching.DEMANDS), "day_rate_fen": st.integers(0, 30_000),
    "end": st.none() | st.dates(date(2026, 11, 1), date(2027, 3, 1)), "poor_first": st.booleans(),
    "status": st.sampled_from(["open", "open", "open", "filled"]), "full": st.booleans()})


def _store(session, households: list[dict], vacancies: list[dict]) -> None:
    """The drawn country as rows: a part-time post to be hired into, every vacancy, every household."""
    for model in (MatchLabourer, MatchVacancy, Referral, Alert, WorkerMonthIncome, LabourStatus, LabourProfile,
                  Assignment, Vacancy, Worker, Household):
        session.execute(delete(model))
    session.add(_vacancy("part", {"region": REGIONS[0], "skills": [], "demand": "light", "day_rate_fen": 1,
                                  "end": None, "poor_first": False, "status": "filled", "full": True}, full_time=False))
    session.add_all(_vacancy(f"v{n}", post) for n, post in enumerate(vacancies))
    session.flush()
    for h, household in enumerate(households):
        session.add(Household(id=f"h{h}", region_code=household["region"][-1], size=household["size"],
                              status=household["status"]))
        session.flush()
        if household["alert"]:
            session.add(Alert(kind="below_line", subject_type="household", subject_id=f"h{h}", household_id=f"h{h}",
                              month="2026-11", region_code=household["region"][-1], region_path=text(
                                  household["region"]), status=household["alert"], detail={}))
        for m, member in enumerate(household["members"]):
            _store_member(session, f"w{h}-{m}", f"h{h}", member)
    session.flush()
    refill_match_rows(session)


def _vacancy(id: str, post: dict, full_time: bool = True) -> Vacancy:
    return Vacancy(id=id, site_id=f"s{post['region'][-1]}", region_code=post["region"][-1],
                   office_region_code=post["region"][-1], title=id, count=2, hired=2 if post["full"] else 1,
                   skills=post["skills"], physical_demand=post["demand"],
                   scheme={"kind": "daily", "day_rate_fen": post["day_rate_fen"]}, full_time=full_time,
                   start_date=date(2026, 10, 1), end_date=post["end"], poor_first=post["poor_first"],
                   status=post["status"], posted_event_id=f"e-{id}", posted_at=NOW)


def _store_member(session, id: str, household_id: str, member: dict) -> None:
    session.add(Worker(id=id, household_id=household_id, name=id))
    session.flush()
    if member["profile"]:
        profile = member["profile"]
        session.add(LabourProfile(worker_id=id, skills=profile["skills"], travel_range=profile["travel_range"],
                                  max_physical_demand=profile["heaviest"], birth_year=profile["birth_year"]))
    session.add_all(WorkerMonthIncome(worker_id=id, month=month, income_fen=fen)
                    for month, fen in member["income"].items())
    work = member["work"]
    if work is None:
        return
    assignment = None
    if work == "part_time":
        assignment = f"a-{id}"
        session.add(Assignment(id=assignment, worker_id=id, site_id=f"s{REGIONS[0][-1]}", start_date=date(2026, 3, 1),
                               scheme={"kind": "daily", "day_rate_fen": 1}))
        session.flush()
        session.add(Referral(id=f"r-{id}", vacancy_id="part", worker_id=id, status="hired", referred_at=NOW,
                             assignment_id=assignment, last_event_id=f"e-r-{id}"))
    session.add(LabourStatus(
        worker_id=id, status="idle" if work == "idle" else "working_local", assignment_id=assignment,
        effective_date=date(2027, 1, 1) if work == "later" else date(2026, 3, 1),
        until=date(2026, 12, 1) if work == "ended" else None, event_id=f"e-{id}", recorded_at="2026-03-01T00:00:00Z"))


def _pure(households: list[dict], vacancies: list[dict]):
    """The same country as the rules see it, worked out from what was drawn."""
    labourers = {}
    for h, household in enumerate(households):
        income = sum(fen for member in household["members"] for month, fen in member["income"].items()
                     if month in LAST_YEAR)
        need = matching.Household(size=household["size"], status=household["status"],
                                  income_per_person_fen=_per_person(income, household["size"]),
                                  monitoring_line_fen=600_000, open_alert=household["alert"] == "open")
        for m, member in enumerate(household["members"]):
            if member["profile"]:
                profile = member["profile"]
                labourers[f"w{h}-{m}"] = matching.Labourer(
                    id=f"w{h}-{m}", skills=frozenset(profile["skills"]), travel_range=profile["travel_range"],
                    heaviest=profile["heaviest"], employed_full_time=member["work"] == "working",
                    region=household["region"], household=need, birth_year=profile["birth_year"])
    open_posts = {f"v{n}": matching.Vacancy(
        id=f"v{n}", skills=frozenset(post["skills"]), demand=post["demand"],
        pay_per_month_fen=post["day_rate_fen"] * 22, region=post["region"], start=date(2026, 10, 1), end=post["end"],
        poor_first=post["poor_first"]) for n, post in enumerate(vacancies)
        if post["status"] == "open" and not post["full"] and (post["end"] is None or post["end"] >= TODAY)}
    return labourers, open_posts


def _per_person(income: int, size: int) -> int:
    """Half up, written again: income / size to the nearest fen, halves away from zero."""
    return (2 * income + size) // (2 * size)


@EXAMPLES
@given(households=st.lists(people, max_size=6), vacancies=st.lists(posts, max_size=5))
def test_the_sql_ranks_both_ways_exactly_as_the_rules_over_the_whole_country(databases, households, vacancies):
    writers, readers = databases
    with writers.begin() as session:
        _store(session, households, vacancies)
    labourers, open_posts = _pure(households, vacancies)
    with readers() as session:
        for n in range(len(vacancies)):
            vacancy = session.get(Vacancy, f"v{n}")
            expected = (matching.rank_labourers(open_posts[vacancy.id], labourers.values(), TODAY)
                        if vacancy.id in open_posts else [])
            assert jobs.labourers_for(session, vacancy, TODAY, THRESHOLDS).matches == expected
        for worker_id, expected_labourer in labourers.items():
            seen = jobs.labourer(session, worker_id, TODAY, THRESHOLDS)
            assert seen == expected_labourer
            assert jobs.vacancies_for(session, seen, TODAY).matches == matching.rank_vacancies(
                expected_labourer, open_posts.values(), TODAY)
        unprofiled = [f"w{h}-{m}" for h, household in enumerate(households)
                      for m, member in enumerate(household["members"]) if member["profile"] is None]
        assert all(jobs.labourer(session, id, TODAY, THRESHOLDS) is None for id in unprofiled)



def test_the_sql_keeps_heavy_work_from_those_past_the_age_or_with_a_health_limit(databases):
    """At the edge of the age, the SQL's filter and the rules' agree: born 55 years before TODAY's year may take
    heavy work, a year earlier may not, an unknown birth year is not barred, a health limit bars at any age."""
    writers, readers = databases
    limit = TODAY.year - matching.HEAVY_WORK_LAST_AGE
    village = next(path for path in REGIONS if len(path) == 5)
    members = [{"profile": {"skills": [], "travel_range": "village", "heaviest": heaviest, "birth_year": born},
                "work": None, "income": {}}
               for heaviest, born in (("heavy", limit), ("heavy", limit - 1), ("heavy", None), ("medium", limit + 20))]
    households = [{"region": village, "size": 1, "status": "poor", "alert": None, "members": [member]}
                  for member in members]
    heavy = {"region": village, "skills": [], "demand": "heavy", "day_rate_fen": 10_000, "end": None,
             "poor_first": False, "status": "open", "full": False}
    with writers.begin() as session:
        _store(session, households, [heavy])
    with readers() as session:
        ranked = jobs.labourers_for(session, session.get(Vacancy, "v0"), TODAY, THRESHOLDS).matches
        offered = {id: [match.vacancy_id for match in jobs.vacancies_for(
            session, jobs.labourer(session, id, TODAY, THRESHOLDS), TODAY).matches] for id in ("w0-0", "w1-0")}
    assert sorted(match.labourer_id for match in ranked) == ["w0-0", "w2-0"]
    assert offered == {"w0-0": ["v0"], "w1-0": []}
