"""The database keeps the hard filters too: for any labourers and vacancies, the API offers a vacancy exactly the
labourers, and a labourer exactly the vacancies, that the pure filters (matching.allowed) allow, so what SQL leaves
out before scoring is never a match the rules would offer, nor does it let through one they forbid."""
from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matching
from app.db.models import Household, LabourProfile, LabourStatus, Region, Site, Vacancy, Worker
from app.jobs.match_rows import refill_match_rows

TODAY = date(2026, 4, 1)
SKILLS = ["cooking", "sewing", "farming"]
# Each example grows a province of its own, five levels deep as the real tree: (node, code after the
# province's, parent, level).
TREE = [("province", "", None, "province"), ("city", "01", "province", "city"),
        ("county_a", "0101", "city", "county"), ("county_b", "0102", "city", "county"),
        ("township_1", "0101001", "county_a", "township"), ("township_2", "0101002", "county_a", "township"),
        ("township_3", "0102001", "county_b", "township"),
        ("village_1", "0101001001", "township_1", "village"), ("village_2", "0101001002", "township_1", "village"),
        ("village_3", "0101002001", "township_2", "village"), ("village_4", "0102001001", "township_3", "village")]
HOMES = ["village_1", "village_2", "village_3", "village_4", "township_1"]
_provinces = itertools.count(1)

labourers = st.fixed_dictionaries({
    "home": st.sampled_from(HOMES), "reach": st.sampled_from(matching.TRAVEL_RANGES),
    "heaviest": st.sampled_from(matching.DEMANDS), "skills": st.sets(st.sampled_from(SKILLS)),
    "status": st.sampled_from([None, "idle", "returned", "working_local", "working_away"]),
    "until": st.sampled_from([None, date(2026, 3, 15), date(2026, 6, 30)])})
vacancies = st.fixed_dictionaries({
    "at": st.sampled_from([node for node, *_ in TREE]), "demand": st.sampled_from(matching.DEMANDS),
    "skills": st.sets(st.sampled_from(SKILLS)), "end": st.sampled_from([None, date(2026, 3, 20), date(2026, 5, 1)])})


def _province(session) -> dict[str, str]:
    """The example's regions: node -> path."""
    top = f"9{next(_provinces):03d}"
    paths: dict[str, str] = {}
    for node, suffix, parent, level in TREE:
        paths[node] = (paths[parent] if parent else "/") + f"{top}{suffix}/"
        session.add(Region(code=top + suffix, name=node, level=level,
                           parent_code=_code(paths, parent) if parent else None, path=paths[node]))
        session.flush()
    return paths


def _code(paths: dict[str, str], node: str) -> str:
    return paths[node].split("/")[-2]


def _write(session, people: list[dict], posts: list[dict]) -> tuple[dict, dict, dict]:
    paths = _province(session)
    site = Site(id=f"s-{uuid.uuid4().hex[:12]}", kind="employer", name="Base", region_code=_code(paths, "village_1"))
    session.add(site)
    session.flush()
    pure_labourers, pure_vacancies = {}, {}
    for person in people:
        worker = f"w-{uuid.uuid4().hex[:12]}"
        session.add(Household(id=worker, region_code=_code(paths, person["home"]), size=3, status="poor"))
        session.flush()
        session.add(Worker(id=worker, household_id=worker, name="Labourer"))
        session.flush()
        session.add(LabourProfile(worker_id=worker, skills=sorted(person["skills"]), travel_range=person["reach"],
                                  max_physical_demand=person["heaviest"]))
        if person["status"] is not None:
            session.add(LabourStatus(worker_id=worker, status=person["status"], effective_date=date(2026, 3, 1),
                                     until=person["until"], event_id=str(uuid.uuid4()),
                                     recorded_at="2026-03-01T00:00:00.000000Z"))
        at_work = person["status"] in ("working_local", "working_away") and (
            person["until"] is None or person["until"] >= TODAY)
        pure_labourers[worker] = matching.Labourer(
            id=worker, skills=frozenset(person["skills"]), travel_range=person["reach"], heaviest=person["heaviest"],
            employed_full_time=at_work, region=matching.region_path(paths[person["home"]]),
            household=matching.Household(size=3, status="poor", income_per_person_fen=0, monitoring_line_fen=1))
    for post in posts:
        vacancy_id = f"v-{uuid.uuid4().hex[:12]}"
        session.add(Vacancy(id=vacancy_id, site_id=site.id, region_code=_code(paths, post["at"]),
                            office_region_code=_code(paths, "province"), title="Work", count=1,
                            skills=sorted(post["skills"]), physical_demand=post["demand"],
                            scheme={"kind": "daily", "day_rate_fen": 10000}, start_date=date(2026, 3, 1),
                            end_date=post["end"], posted_event_id=str(uuid.uuid4()),
                            posted_at=datetime(2026, 2, 20, tzinfo=UTC)))
        pure_vacancies[vacancy_id] = matching.Vacancy(
            id=vacancy_id, skills=frozenset(post["skills"]), demand=post["demand"], pay_per_month_fen=220000,
            region=matching.region_path(paths[post["at"]]), start=date(2026, 3, 1), end=post["end"])
    session.flush()
    refill_match_rows(session)  # as the app's writers keep them
    return paths, pure_labourers, pure_vacancies


def _offered(api, path: str, field: str) -> set[str]:
    response = api.get(path, as_of=TODAY.isoformat(), limit=500)
    assert response.status_code == 200, response.get_json()
    return {item[field] for item in response.get_json()["items"]}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(people=st.lists(labourers, min_size=1, max_size=6), posts=st.lists(vacancies, min_size=1, max_size=4))
def test_the_database_offers_exactly_what_the_hard_filters_allow(api, runtime, people, posts):
    with runtime.sessions.begin() as session:
        _, ours, theirs = _write(session, people, posts)

    for vacancy_id, vacancy in theirs.items():
        offered = _offered(api, f"/vacancies/{vacancy_id}/matches", "worker_id") & ours.keys()
        assert offered == {worker for worker, labourer in ours.items() if matching.allowed(labourer, vacancy, TODAY)}
    for worker, labourer in ours.items():
        offered = _offered(api, f"/labourers/{worker}/matches", "vacancy_id") & theirs.keys()
        assert offered == {vacancy_id for vacancy_id, vacancy in theirs.items()
                           if matching.allowed(labourer, vacancy, TODAY)}
