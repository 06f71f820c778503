"""Labour status histories applied one change at a time as the consumers apply them (in any order, the profiles'
willingness to go out changing in between), the counts kept of them, and the statuses worked out from the changes
themselves (as the statistics did before the counts were kept) to compare them with."""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import strategies as st
from sqlalchemy import and_, case, func, literal, select

from app.db.models import (
    Assignment,
    Household,
    LabourProfile,
    LabourStatusChange,
    LabourStatusDay,
    LabourStatusWeek,
    Referral,
    Region,
    Site,
    Worker,
)
from app.jobs.spells import WITHOUT_WORK
from app.jobs.stats import return_to_work
from app.ledger.labour import derive_work, record_status
from app.ledger.labour_counts import keep_willingness, refill_labour_counts
from events import WorkEvent
from support.return_to_work import counties, day, days, write_county

# an assignment of a labourer: (labourer, site, first day, days after it to its end or None, a later end or None);
# sites 0-2 are the county's, 3 is in another county
works = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 3), days, st.none() | st.integers(0, 30),
                           st.none() | days), max_size=5)
histories = st.tuples(counties, st.randoms(use_true_random=False), st.lists(st.integers(0, 7), max_size=3),
                      st.integers(0, 55), works)
AWAY_SITE = 3


def apply_one_at_a_time(runtime, people, baselines, shuffle, flips, work=()):
    """Write the county without its histories, then keep each change in a transaction of its own, in a shuffled
    order, with the willingness of the labourers numbered in `flips` turned over at random moments, and the
    assignments of `work` made and their ends changed (each making the labourer's runs of work again, as the API
    and the consumers do)."""
    with runtime.sessions.begin() as session:
        world = write_county(session, [replace(person, changes=()) for person in people], baselines)
        sites = work_sites(session, world.code)
    steps = [("change", number, k) for number, person in enumerate(people) for k in range(len(person.changes))]
    steps += [("flip", number, None) for number in flips if number < len(people)]
    steps += [(what, number, k) for k, (number, *_) in enumerate(work) if number < len(people)
              for what in ("assign", "end")]
    shuffle.shuffle(steps)
    for what, number, k in steps:
        worker = f"{world.code}-w{number}"
        with runtime.sessions.begin() as session:
            if what in ("assign", "end"):
                keep_work(session, worker, what, f"{worker}-a{k}", sites, work[k])
                continue
            if what == "flip":
                profile = session.get(LabourProfile, worker) or LabourProfile(worker_id=worker, willing_to_go_out=False)
                was = bool(profile.willing_to_go_out)
                profile.willing_to_go_out = not was
                session.add(profile)
                session.flush()
                keep_willingness(session, worker, was, not was)
                derive_work(session, [worker])  # a profile made makes a labourer of them, as the API's put does
                continue
            status, on, until = people[number].changes[k]
            event = WorkEvent(id=f"{worker}-c{k}", type="labour.status_changed", source="test",
                              time=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=k), data={"worker_id": worker})
            record_status(session, event, status, day(on), until=None if until is None else day(until))
    world.labourers = list(people)  # with their histories, kept now
    return world


def work_sites(session, code: str) -> list[str]:
    """The county's two workshops and its base, and a site in another county."""
    away = f"{code}x"
    session.add(Region(code=away, name="Elsewhere", level="county", parent_code=None, path=f"/{away}/"))
    session.flush()
    session.add(Site(id=f"{away}-ws", kind="workshop", name="Far workshop", region_code=away))
    return [f"{code}-ws0", f"{code}-ws1", f"{code}-base", f"{away}-ws"]


def keep_work(session, worker: str, what: str, assignment_id: str, sites: list[str], drawn) -> None:
    _, site, first, length, later_end = drawn
    assignment = session.get(Assignment, assignment_id)
    if what == "assign" and assignment is None:
        session.add(Assignment(id=assignment_id, worker_id=worker, site_id=sites[site], start_date=day(first),
                               end_date=None if length is None else day(first + length),
                               scheme={"kind": "daily", "day_rate_fen": 10000}))
    elif what == "end" and assignment is not None:
        assignment.end_date = None if later_end is None else max(day(later_end), assignment.start_date)
    else:
        return
    session.flush()
    derive_work(session, [worker])


def working_from_the_assignments(session, region: Region, on: date) -> Counter:
    """Worked out again from the assignments alone, for labourers without other changes: a labourer (a profile or
    a referral) at work on `on` at a site of their own county works locally, elsewhere away; both: locally."""
    labourers = {worker for (worker,) in session.execute(
        select(Worker.id).join(Household, Household.id == Worker.household_id)
        .join(Region, Region.code == Household.region_code).where(Region.path.startswith(region.path))
        .where(Worker.id.in_(select(LabourProfile.worker_id).union(select(Referral.worker_id)))))}
    places: dict[str, set[bool]] = {}
    for worker, first, last, site_path, home_path in session.execute(
            select(Assignment.worker_id, Assignment.start_date, Assignment.end_date, Region.path,
                   select(Region.path).join(Household, Household.region_code == Region.code)
                   .where(Household.id == Worker.household_id).scalar_subquery())
            .join(Worker, Worker.id == Assignment.worker_id).join(Site, Site.id == Assignment.site_id)
            .join(Region, Region.code == Site.region_code)):
        if worker in labourers and first <= on and (last is None or on <= last):
            county = "/" + home_path.strip("/").split("/")[0] + "/"  # the test's counties are the top of the tree
            places.setdefault(worker, set()).add(site_path.startswith(county))
    return Counter("working_local" if any(local) else "working_away" for local in places.values())


def kept_and_refilled(runtime, codes) -> tuple[set, set]:
    """The county's rows of the counts as kept, and as counting every history again gives them."""
    with runtime.sessions() as session:
        kept = _rows(session, codes)
        refill_labour_counts(session)
        refilled = _rows(session, codes)
        session.rollback()
    return kept, refilled


def _rows(session, codes) -> set:
    return {tuple(row) for table in (LabourStatusWeek, LabourStatusDay) for row in session.execute(
        select(*table.__table__.columns).where(table.region_code.in_(codes)))}


def kept_and_from_the_changes(runtime, code: str, on: date) -> tuple[dict, dict]:
    """The statuses of the region as of `on`, from the counts kept and from the changes."""
    with runtime.readers() as session:
        region = session.get(Region, code)
        found = return_to_work(session, region, on)
        counted = from_the_changes(session, region, on)
    return ({"working_local": found.working_local, "working_away": found.working_away,
             "willing": found.willing_to_go_out},
            {name: counted[name] for name in ("working_local", "working_away", "willing")})


def from_the_changes(session, region, on: date) -> Counter:
    """Every labourer's latest change by `on` (idle after its `until`), counted by status, and those without work
    willing to go out."""
    change = LabourStatusChange
    labourers = (select(Worker.id).join(Household, Household.id == Worker.household_id)
                 .join(Region, Region.code == Household.region_code).where(Region.path.startswith(region.path)))
    ranked = (select(change.worker_id, change.status, change.until, func.row_number().over(
        partition_by=change.worker_id,
        order_by=(change.effective_date.desc(), change.recorded_at.desc(), change.event_id.desc())).label("rank"))
              .where(change.effective_date <= on, change.worker_id.in_(labourers)).subquery("ranked"))
    status = case((and_(ranked.c.until.is_not(None), ranked.c.until < on), literal("idle")),
                  else_=ranked.c.status).label("status")
    latest = select(ranked.c.worker_id, status).where(ranked.c.rank == 1).subquery("latest")
    willing = func.count(case((and_(latest.c.status.in_(WITHOUT_WORK), LabourProfile.willing_to_go_out), 1)))
    counts: Counter = Counter()
    for state, number, keen in session.execute(
            select(latest.c.status, func.count(), willing)
            .outerjoin(LabourProfile, LabourProfile.worker_id == latest.c.worker_id).group_by(latest.c.status)):
        counts[state] += number
        counts["willing"] += keen
    return counts
