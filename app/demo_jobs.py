"""The demo county's jobs (Yudu, as of 5 November 2026): labour profiles and employment statuses, employers beyond
the workshops, open vacancies, last year's migrant workforce, and the Chen family's October income alert answered
by a hire: Chen Wei, idle since he stopped at the shoe workshop, is referred to the flower-seedling base, accepted,
hired (the hire makes his assignment) and paid for his first November days, while the alert's page offers
vacancies to Chen Xiuying, the family's other idle member.

Everything goes through the events and services the API uses. Each step of the hire reads what the consumer made
of the one before it, so `hire` waits for the consumer, which `bin/demo` runs beside `flask finish-demo`."""
from __future__ import annotations

import time
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Alert, Employer, LabourBaseline, LabourProfile, Referral, Region, Site, Vacancy, Worker
from app.jobs.interest import record_interest
from app.jobs.match_rows import keep_labourers
from app.ledger.checks import work_today
from app.ledger.intake import accept_events, parse_all, stage_job_event
from app.runtime import Runtime
from events import (
    LABOUR_STATUS_CHANGED,
    REFERRAL_ACCEPTED,
    REFERRAL_DECLINED,
    REFERRAL_HIRED,
    REFERRAL_MADE,
    VACANCY_POSTED,
    parse_event,
)

SOURCE = "demo/yudu-office"
EMPLOYER_SITE_KIND = "employer"  # as the API registers an employer: its hires are paid through a site of its own
# Another province, for migrant work.
REGIONS = [("44", "Guangdong", "province", None), ("4419", "Dongguan", "city", "44")]
# Members of the demo's households without an assignment: (worker, household, name).
MEMBERS = [("chen-xiu", "hh-chen", "Chen Xiuying"), ("liu-qiang", "hh-liu", "Liu Qiang"),
           ("liu-yang", "hh-liu", "Liu Yang"), ("zhao-lei", "hh-zhao", "Zhao Lei"),
           ("wang-tao", "hh-wang", "Wang Tao"), ("huang-jian", "hh-huang", "Huang Jian"),
           ("zhou-hong", "hh-zhou", "Zhou Hong"), ("wu-lin", "hh-wu", "Wu Lin")]
# worker: skills, education, birth year, heaviest work, travel range, caregiving ties, willing to go out, kinds
PROFILES: dict[str, tuple] = {
    "chen-wei": (["shoemaking", "farming", "seedlings"], "junior_secondary", 1979, "heavy", "county", [], False,
                 ["workshop", "agriculture"]),
    "chen-xiu": (["sewing", "handicraft"], "primary", 1982, "medium", "township", ["children"], False,
                 ["workshop"]),
    "zhao-min": (["food_processing", "cooking"], "junior_secondary", 1975, "medium", "county", ["elderly"], False,
                 ["workshop", "services"]),
    "liu-fang": (["forestry", "farming"], "primary", 1968, "medium", "village", ["sick_or_disabled"], False,
                 ["post"]),
    "liu-qiang": (["electronics_assembly", "machine_operation"], "vocational", 1996, "heavy", "anywhere", [],
                  True, ["factory"]),
    "liu-yang": (["electronics_assembly", "logistics"], "senior_secondary", 1999, "heavy", "anywhere", [], True,
                 ["factory", "transport"]),
    "zhao-lei": (["construction", "masonry"], "junior_secondary", 1990, "heavy", "anywhere", [], True,
                 ["construction"]),
    "wang-tao": (["driving", "logistics", "farming"], "junior_secondary", 1988, "heavy", "province", [], True,
                 ["transport", "agriculture"]),
    "huang-jian": (["welding", "construction"], "vocational", 1992, "heavy", "anywhere", [], True, ["factory"]),
    "zhou-hong": (["farming", "herbal_medicine"], "primary", 1970, "medium", "township", ["elderly"], False,
                  ["agriculture"]),
    "wu-lin": (["logistics", "e_commerce"], "senior_secondary", 1997, "heavy", "anywhere", [], True,
               ["transport", "services"]),
    "huang-mei": (["handicraft", "sewing"], "primary", 1980, "light", "village", ["children"], False,
                  ["workshop"]),
}
AT_WORKSHOPS = ["chen-wei", "liu-fang", "zhao-min", "wang-li", "wang-jun", "huang-mei", "sun-hua", "zhou-qiang",
                "zhou-yan", "wu-gang"]  # at work near home since the workshops and posts opened in May
# (worker, status, from, region, place)
STATUSES = [
    *[(worker, "working_local", "2026-05-01", None, None) for worker in AT_WORKSHOPS],
    ("chen-wei", "idle", "2026-10-08", None, "stopped at Pantian shoe workshop"),
    ("zhao-min", "idle", "2026-10-15", None, "stopped at Longshi tea packing"),
    ("chen-xiu", "idle", "2026-03-01", None, None),
    ("zhou-hong", "idle", "2026-07-01", None, None),
    ("liu-qiang", "working_away", "2026-02-20", "4419", "Dongguan electronics factory"),
    ("liu-yang", "working_away", "2026-02-20", "4419", "Dongguan electronics factory"),
    ("liu-yang", "returned", "2026-10-20", None, "back from Dongguan"),
    ("zhao-lei", "working_away", "2026-03-01", "4419", "Dongguan building sites"),
    ("huang-jian", "working_away", "2026-03-05", "4419", "Dongguan furniture factory"),
    ("wu-lin", "working_away", "2026-02-25", "44", "Shenzhen logistics company"),
    ("wang-tao", "returned", "2026-02-15", None, "back from Zhejiang"),
]
# The migrant workforce at the end of 2025: (region, migrant workers, the poor among them).
BASELINES = [("360731101", 16, 9), ("360731", 16, 9)]
# (id, kind, name, where, kept by the office of, contact)
EMPLOYERS = [
    ("emp-flowers", "industrial_base", "Yudu flower-seedling base", "360731101202", "360731", "Mr Xie, base office"),
    ("emp-herbs", "industrial_base", "Gongjiang herbal-medicine base", "360731101203", "360731", "Ms Guo"),
    ("emp-sanitation", "enterprise", "Yudu sanitation company", "360731101", "360731", "Dispatch office"),
    ("emp-dongguan", "enterprise", "Dongguan Huasheng electronics factory", "4419", "360731", "Labour office"),
]
_DAILY = {"kind": "daily", "day_rate_fen": 11000}
VACANCIES: list[dict[str, Any]] = [
    {"vacancy_id": "v-seedlings", "employer_id": "emp-flowers", "title": "Seedling nursery hands", "count": 3,
     "kind": "agriculture", "skills": ["seedlings", "farming"], "physical_demand": "medium", "scheme": _DAILY,
     "start_date": "2026-11-02", "poor_first": True,
     "description": "Potting, watering and sorting seedlings in the greenhouses; lunch provided."},
    {"vacancy_id": "v-herbs", "employer_id": "emp-herbs", "title": "Herb planting and weeding", "count": 4,
     "kind": "agriculture", "skills": ["herbal_medicine", "farming"], "physical_demand": "medium",
     "scheme": {"kind": "daily", "day_rate_fen": 10000}, "start_date": "2026-11-02"},
    {"vacancy_id": "v-street-cleaners", "employer_id": "emp-sanitation", "title": "Township street cleaners",
     "count": 2, "kind": "services", "skills": ["cleaning"], "physical_demand": "light",
     "scheme": {"kind": "monthly", "stipend_fen": 160000, "required_days": 26}, "start_date": "2026-11-09"},
    {"vacancy_id": "v-assembly", "employer_id": "emp-dongguan", "title": "Assembly-line workers in Dongguan",
     "count": 10, "kind": "factory", "skills": ["electronics_assembly"], "physical_demand": "light",
     "scheme": {"kind": "monthly", "stipend_fen": 480000, "required_days": 26}, "start_date": "2026-11-16",
     "housing": True, "description": "Dormitory and canteen on site; the fare there is refunded after a month."},
    {"vacancy_id": "v-shoe-stitching", "site_id": "ws-shoes", "title": "Shoe stitchers", "count": 2,
     "kind": "workshop", "skills": ["shoemaking", "sewing"], "physical_demand": "light",
     "scheme": {"kind": "hourly", "rate_fen": 1800}, "start_date": "2026-11-09"},
    {"vacancy_id": "v-fire-patrol", "site_id": "post-forest", "title": "Winter forest-fire patrol (temporary)",
     "count": 2, "kind": "post", "skills": ["forestry", "security"], "physical_demand": "medium",
     "scheme": {"kind": "monthly", "stipend_fen": 60000, "required_days": 20}, "full_time": False,
     "start_date": "2026-11-09", "end_date": "2027-02-28"},
]
# (referral, vacancy, labourer, note): made on 2 November
REFERRALS = [("r-chen-wei", "v-seedlings", "chen-wei", "The Chen family's income fell in October"),
             ("r-wang-tao", "v-herbs", "wang-tao", None),
             ("r-liu-yang", "v-assembly", "liu-yang", "Wants to go back out before the New Year")]
HIRED_AT = "emp-flowers"  # the employer of the hire's vacancy
HIRED = ("r-chen-wei", "v-seedlings", "chen-wei", "a-chen-wei-seedlings", "2026-11-03")
DECLINED = ("r-wang-tao", "v-herbs", "wang-tao", "The base takes pickers from Longshi first this season")
WORKED = ["2026-11-03", "2026-11-04", "2026-11-05"]  # Chen Wei's first days at the base
INTEREST = ("v-herbs", "Li Guiying", "139 7071 2345", "360731101203")  # left on the vacancy's public page
ANSWERED = ("hh-chen", "income_drop")  # the alert the hire answers
WAIT_S = 120  # for the consumer to apply a step: a busy machine takes seconds


def register(session: Session) -> None:
    """The other province, the households' other members, the employers, profiles and baselines (as the API
    writes them: rows, not events)."""
    for code, name, level, parent in REGIONS:
        path = (session.get(Region, parent).path if parent else "/") + f"{code}/"
        session.add(Region(code=code, name=name, level=level, parent_code=parent, path=path))
        session.flush()
    for worker_id, household_id, name in MEMBERS:
        session.add(Worker(id=worker_id, household_id=household_id, name=name))
    for employer_id, kind, name, region, office, contact in EMPLOYERS:
        site = Site(id=f"employer-{employer_id}", kind=EMPLOYER_SITE_KIND, name=name, region_code=region)
        session.add(site)
        session.flush()  # the employer names it
        session.add(Employer(id=employer_id, kind=kind, name=name, region_code=region, office_region_code=office,
                             site_id=site.id, contact=contact))
    session.flush()
    for worker_id, (skills, education, born, heaviest, reach, ties, going, kinds) in PROFILES.items():
        session.add(LabourProfile(worker_id=worker_id, skills=skills, tags=[], education=education, birth_year=born,
                                  max_physical_demand=heaviest, travel_range=reach, caregiving=ties,
                                  willing_to_go_out=going, preferred_kinds=kinds))
    keep_labourers(session, PROFILES)
    for region, migrants, poor in BASELINES:
        session.add(LabourBaseline(region_code=region, year=2025, migrant_workers=migrants,
                                   poor_migrant_workers=poor, source="api", recorded_by="demo"))


def stage_registry(session: Session, runtime: Runtime) -> int:
    """The employment statuses and the vacancies; return how many events."""
    for worker_id, status, day, region, place in STATUSES:
        _stage(session, runtime, LABOUR_STATUS_CHANGED, f"status/{worker_id}/{day}", f"{day}T09:00:00+08:00", {
            "worker_id": worker_id, "status": status, "date": day, "region_code": region, "place": place})
    for vacancy in VACANCIES:
        _stage(session, runtime, VACANCY_POSTED, f"vacancy/{vacancy['vacancy_id']}", "2026-10-28T10:00:00+08:00",
               {"site_id": None, "employer_id": None, **vacancy, "posted_by": "demo"})
    return len(STATUSES) + len(VACANCIES)


def refer(runtime: Runtime) -> None:
    """The cadre's referrals of 2 November, once the consumer has applied load-demo's vacancies."""
    with runtime.sessions.begin() as session:
        for referral_id, vacancy_id, worker_id, note in REFERRALS:
            _stage(session, runtime, REFERRAL_MADE, f"referral/{referral_id}", "2026-11-02T09:30:00+08:00", {
                "referral_id": referral_id, "vacancy_id": vacancy_id, "worker_id": worker_id, "note": note,
                "referred_by": "demo"})


def hire(runtime: Runtime) -> None:
    """Once the consumer has applied the referrals: the employers' answers; once it has applied those: Chen Wei's
    first days at the base and an interest left on a vacancy's page."""
    _wait_for(runtime, lambda session: all(session.get(Referral, referral[0]) for referral in REFERRALS),
              "the referrals")
    _decide(runtime)
    _wait_for(runtime, lambda session: session.get(Referral, HIRED[0]).status == "hired", "the hire")
    _start_work(runtime)


def _decide(runtime: Runtime) -> None:
    """Chen Wei accepted and hired from 3 November, Wang Tao declined; Liu Yang's referral waits."""
    referral_id, vacancy_id, worker_id, assignment_id, start = HIRED
    ids = {"referral_id": referral_id, "vacancy_id": vacancy_id, "worker_id": worker_id}
    declined_id, declined_vacancy, declined_worker, reason = DECLINED
    with runtime.sessions.begin() as session:
        _stage(session, runtime, REFERRAL_ACCEPTED, f"accept/{referral_id}", "2026-11-02T14:00:00+08:00", ids)
        _stage(session, runtime, REFERRAL_HIRED, f"hire/{referral_id}", "2026-11-02T16:00:00+08:00",
               {**ids, "assignment_id": assignment_id, "start_date": start})
        _stage(session, runtime, REFERRAL_DECLINED, f"decline/{declined_id}", "2026-11-03T10:00:00+08:00", {
            "referral_id": declined_id, "vacancy_id": declined_vacancy, "worker_id": declined_worker,
            "reason": reason})


def _start_work(runtime: Runtime) -> None:
    """Chen Wei's first days at the base, as his new site's phone sends them, and the interest a labourer left on
    a vacancy's public page."""
    site_id = f"employer-{HIRED_AT}"
    raw = [{"specversion": "1.0", "id": _event_id(f"attendance/{day}"), "type": "attendance.recorded",
            "source": f"sites/{site_id}/phone", "time": f"{day}T18:30:00+08:00",
            "data": {"worker_id": HIRED[2], "site_id": site_id, "date": day, "status": "present"}} for day in WORKED]
    vacancy_id, name, phone, village = INTEREST
    with runtime.sessions.begin() as session:
        parsed, errors = parse_all(raw)
        accept_events(session, runtime.bus, runtime.settings.topic_work_events, parsed, errors,
                      work_today(runtime.settings))
        record_interest(session, session.get(Vacancy, vacancy_id), name, phone, village)


def answered_alert(session: Session) -> str:
    """The id of the alert the hire answers."""
    household_id, kind = ANSWERED
    return session.scalars(select(Alert.id).where(Alert.household_id == household_id, Alert.kind == kind)).one()


def _stage(session: Session, runtime: Runtime, event_type: str, name: str, moment: str, data: dict) -> None:
    event = parse_event({"specversion": "1.0", "id": _event_id(name), "type": event_type, "source": SOURCE,
                         "time": moment, "data": data})
    problem = stage_job_event(session, runtime.bus, runtime.settings.topic_work_events, event)
    if problem is not None:  # the demo's own data: a step run out of order
        raise RuntimeError(f"the demo's {event_type} ({name}) cannot be applied: {problem.message}")


def _wait_for(runtime: Runtime, applied, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while True:
        with runtime.sessions() as session:
            if applied(session):
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the consumer has not applied {what} in {WAIT_S} s: is `python -m consumers` running?")
        time.sleep(0.1)


def _event_id(name: str) -> str:
    """The same id on every run, from the event's name in the demo."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"stablework-demo/{name}"))
