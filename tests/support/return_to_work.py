"""A county of labourers for the return-to-work statistics, written straight into the tables (the statistics only
read them, and the counts kept of them), and the figures worked out again here, naively, one labourer and one day
at a time."""
from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from hypothesis import strategies as st

from app.db.models import (
    Employer,
    Household,
    LabourBaseline,
    LabourProfile,
    LabourStatusChange,
    Referral,
    Region,
    Site,
    SiteWeekWorker,
    Vacancy,
    Worker,
)
from app.ledger.labour_counts import refill_labour_counts

START = date(2026, 3, 2)  # a Monday; every day of the world is within 8 weeks of it
STATUSES = ("idle", "working_local", "working_away", "returned")
_counties = itertools.count(1)


@dataclass(frozen=True)
class Labourer:
    village: int  # 0 or 1
    poor: bool
    willing: bool | None  # None: no profile
    changes: tuple[tuple[str, int, int | None], ...]  # (status, day, until day or None), in the order recorded
    referred: int | None = None  # the day of a referral
    hired: int | None = None  # the day of its hire (from the referral day on)
    worked: frozenset[tuple[int, int]] = frozenset()  # (site, week): 0, 1 workshops; 2 the base; 3 another post


@dataclass
class County:
    code: str
    villages: tuple[str, str]
    labourers: list[Labourer]
    baselines: dict[int, int] = field(default_factory=dict)  # -1: the county's own; 0, 1: a village's


days = st.integers(0, 55)
labourers = st.builds(
    Labourer, village=st.integers(0, 1), poor=st.booleans(), willing=st.none() | st.booleans(),
    changes=st.lists(st.tuples(st.sampled_from(STATUSES), days, st.none() | days), max_size=4).map(tuple),
    referred=st.none() | days, hired=st.none() | st.integers(0, 20),
    worked=st.frozensets(st.tuples(st.integers(0, 3), st.integers(0, 7)), max_size=4))
counties = st.builds(lambda people, baselines: (people, baselines), st.lists(labourers, max_size=8),
                     st.dictionaries(st.sampled_from([-1, 0, 1]), st.integers(1, 50), max_size=3))


def day(n: int) -> date:
    return START + timedelta(days=n)


def write_county(session, people: list[Labourer], baselines: dict[int, int]) -> County:
    n = next(_counties)
    code, villages = f"99{n:04d}", (f"99{n:04d}001", f"99{n:04d}002")
    session.add(Region(code=code, name=f"County {n}", level="county", parent_code=None, path=f"/{code}/"))
    session.add_all(Region(code=v, name=f"Village {v}", level="village", parent_code=code, path=f"/{code}/{v}/")
                    for v in villages)
    session.flush()
    sites = [Site(id=f"{code}-ws{k}", kind="workshop", name="Workshop", region_code=villages[k]) for k in (0, 1)]
    sites += [Site(id=f"{code}-base", kind="employer", name="Seedling base", region_code=villages[0]),
              Site(id=f"{code}-post", kind="post", name="Post", region_code=villages[1])]
    session.add_all(sites)
    for where, migrants in baselines.items():
        session.add(LabourBaseline(region_code=code if where == -1 else villages[where], year=START.year - 1,
                                   migrant_workers=migrants))
    session.flush()
    session.add(Employer(id=f"{code}-base", kind="industrial_base", name="Seedling base", region_code=villages[0],
                         office_region_code=code, site_id=f"{code}-base"))
    session.add(Vacancy(id=f"{code}-v", site_id=f"{code}-base", region_code=villages[0], office_region_code=code,
                        title="Seedlings", count=5, physical_demand="light", scheme={"kind": "daily",
                                                                                    "day_rate_fen": 12000},
                        start_date=START, posted_event_id=f"{code}-posted", posted_at=_moment(0)))
    for number, person in enumerate(people):
        _write_labourer(session, code, villages, sites, number, person)
    session.flush()
    refill_labour_counts(session)  # counted as the migration counts the histories it finds
    return County(code, villages, people, baselines)


def _write_labourer(session, code, villages, sites, number, person: Labourer) -> None:
    worker = f"{code}-w{number}"
    session.add(Household(id=worker, region_code=villages[person.village], size=3,
                          status="poor" if person.poor else "other"))
    session.flush()
    session.add(Worker(id=worker, household_id=worker, name=f"Worker {number}"))
    session.flush()
    if person.willing is not None:
        session.add(LabourProfile(worker_id=worker, willing_to_go_out=person.willing))
    for k, (status, on, until) in enumerate(person.changes):
        session.add(LabourStatusChange(event_id=f"{worker}-c{k}", worker_id=worker, status=status,
                                       effective_date=day(on), until=None if until is None else day(until),
                                       recorded_at=f"2026-01-01T00:00:{k:02d}Z"))
    for site, week in person.worked:
        session.add(SiteWeekWorker(week=START + timedelta(weeks=week), site_id=sites[site].id, worker_id=worker))
    if person.referred is not None:
        hired = None if person.hired is None else person.referred + person.hired
        session.add(Referral(id=f"{worker}-r", vacancy_id=f"{code}-v", worker_id=worker, referred_at=_moment(
            person.referred), status="hired" if hired is not None else "referred", last_event_id=f"{worker}-r",
            hired_at=None if hired is None else _moment(hired), start_date=None if hired is None else day(hired)))


def _moment(n: int) -> datetime:
    """A moment of the day in China (15:00 there), stored in UTC."""
    return datetime.combine(day(n), datetime.min.time(), UTC) + timedelta(hours=7)


def status(person: Labourer, on: date) -> str | None:
    """The status on a day: the latest change by then (ties: the later recorded), idle after its `until`."""
    latest = None
    for k, (state, first, until) in enumerate(person.changes):
        if day(first) <= on and (latest is None or (day(first), k) >= (day(latest[1]), latest[3])):
            latest = (state, first, until, k)
    if latest is None:
        return None
    return "idle" if latest[2] is not None and day(latest[2]) < on else latest[0]


SITES_OF = {None: (0, 1, 2), 0: (0, 2), 1: (1,)}  # the workshops and the base of the county, of each village


def expected(county: County, first: date, last: date, village: int | None = None) -> dict:
    """The figures of the county, or of one of its villages, as of `last`, with referrals and hires from `first`:
    worked out one labourer and one day at a time."""
    people = [p for p in county.labourers if village is None or p.village == village]
    states = [status(p, last) for p in people]
    week = (last - START).days // 7
    sites = SITES_OF[village]
    at = [p for p in county.labourers if any(site in sites and w == week for site, w in p.worked)]
    hires = [p for p in people if p.referred is not None and p.hired is not None
             and first <= day(p.referred + p.hired) <= last]
    return {
        "baseline": _baseline(county, village),
        "working_local": states.count("working_local"), "working_away": states.count("working_away"),
        "willing_to_go_out": sum(1 for p, s in zip(people, states) if p.willing and s in ("idle", "returned")),
        "workshops": len(sites),
        "resumed": len({site for p in county.labourers for site, w in p.worked if site in sites and w == week}),
        "absorbed": len(at), "absorbed_poor": sum(1 for p in at if p.poor),
        "referrals": sum(1 for p in people if p.referred is not None and first <= day(p.referred) <= last),
        "hires": len(hires), "median_days_to_hire": _median_wait(hires),
    }


def _baseline(county: County, village: int | None) -> int | None:
    if village is not None:
        return county.baselines.get(village)
    if -1 in county.baselines:
        return county.baselines[-1]
    return sum(county.baselines.values()) if county.baselines else None


def _median_wait(hires: list[Labourer]):
    waits = []
    for p in hires:
        hired, since = day(p.referred + p.hired), None
        back = hired - timedelta(days=1)
        while status(p, back) in ("idle", "returned"):
            since, back = back, back - timedelta(days=1)
        if since is not None:
            waits.append((hired - since).days)
    return statistics.median(waits) if waits else None
