"""A small county for newcomers (Yudu, Jiangxi): workshops, welfare posts, poor and monitored
households and six months of work (May to October 2026), with a few households in trouble so the
poverty office has real alerts to look at, and jobs for its idle labour (app.demo_jobs). Deterministic: the
same data on every run."""
from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import update

from app import demo_jobs
from app.access.accounts import create_account
from app.access.tokens import issue_token
from app.alerts.evaluation import evaluate, thresholds_from
from app.db.models import Assignment, Household, PeriodTransition, Region, Site, Worker
from app.ledger.checks import work_today
from app.ledger.intake import accept_events, parse_all
from app.pay.payments import LineResult, pay_period, record_bank_results
from app.pay.periods import Actor, move_period
from app.review.disputes import Claim, raise_dispute
from app.runtime import Runtime

MONTHS = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
AS_OF = date(2026, 11, 5)
REGIONS = [("36", "Jiangxi", "province", None), ("3607", "Ganzhou", "city", "36"),
           ("360731", "Yudu", "county", "3607"), ("360731101", "Gongjiang", "township", "360731"),
           ("360731101201", "Pantian", "village", "360731101"), ("360731101202", "Shuitou", "village", "360731101"),
           ("360731101203", "Longshi", "village", "360731101")]
SITES = [("ws-shoes", "workshop", "Pantian shoe workshop", "360731101201", {"kind": "hourly", "rate_fen": 1800}),
         ("ws-bamboo", "workshop", "Shuitou bamboo weaving", "360731101202",
          {"kind": "piece", "rates": {"basket": 450, "mat": 900}}),
         ("ws-tea", "workshop", "Longshi tea packing", "360731101203", {"kind": "daily", "day_rate_fen": 12000}),
         ("post-clean", "post", "Pantian village cleaner", "360731101201",
          {"kind": "monthly", "stipend_fen": 80000, "required_days": 22}),
         ("post-forest", "post", "Shuitou forest ranger", "360731101202",
          {"kind": "monthly", "stipend_fen": 60000, "required_days": 20})]
# household, village, size, status, [(worker, name, site, story)]
HOUSEHOLDS = [
    ("hh-chen", "360731101201", 5, "poor", [("chen-wei", "Chen Wei", "ws-shoes", "stops in October")]),
    ("hh-liu", "360731101202", 6, "monitored", [("liu-fang", "Liu Fang", "post-forest", "part time")]),
    ("hh-zhao", "360731101203", 3, "poor", [("zhao-min", "Zhao Min", "ws-tea", "gone since mid-October")]),
    ("hh-wang", "360731101201", 4, "poor", [("wang-li", "Wang Li", "ws-shoes", "steady"),
                                              ("wang-jun", "Wang Jun", "post-clean", "steady")]),
    ("hh-huang", "360731101202", 3, "monitored", [("huang-mei", "Huang Mei", "ws-bamboo", "steady")]),
    ("hh-sun", "360731101203", 2, "other", [("sun-hua", "Sun Hua", "ws-tea", "steady")]),
    ("hh-zhou", "360731101202", 4, "poor", [("zhou-qiang", "Zhou Qiang", "ws-bamboo", "steady"),
                                             ("zhou-yan", "Zhou Yan", "post-forest", "steady")]),
    ("hh-wu", "360731101201", 5, "other", [("wu-gang", "Wu Gang", "ws-shoes", "steady")]),
]

# A worker who reads their own pay on the pages (/me/login): the demo's sender writes the one-time code to the log.
WORKER_PHONES = {"wang-li": "13800138000"}

# People who sign in to the demo's pages: login, name, role, region, sites, and a password printed for all to see
# (a demo's, never to be used for real data).
ACCOUNTS = [("yudu-admin", "Yudu administrator", "admin", "360731", [], "demo-admin-2026"),
            ("pantian-shoes", "Pantian shoe workshop supervisor", "supervisor", "360731", ["ws-shoes"],
             "demo-shoes-2026"),
            ("yudu-posts", "Yudu welfare-post manager", "post_manager", "360731", [], "demo-posts-2026"),
            ("yudu-office", "Yudu poverty office", "poverty_office", "360731", [], "demo-office-2026")]


def load_demo(runtime: Runtime) -> int:
    """Register the county and stage its six months of events; return how many events."""
    with runtime.sessions.begin() as session:
        for code, name, level, parent in REGIONS:
            path = (session.get(Region, parent).path if parent else "/") + f"{code}/"
            session.add(Region(code=code, name=name, level=level, parent_code=parent, path=path))
            session.flush()
        for site_id, kind, name, village, _ in SITES:
            session.add(Site(id=site_id, kind=kind, name=name, region_code=village))
        schemes = {site_id: scheme for site_id, *_, scheme in SITES}
        for household_id, village, size, status, workers in HOUSEHOLDS:
            session.add(Household(id=household_id, region_code=village, size=size, status=status))
            for worker_id, name, site_id, _ in workers:
                session.add(Worker(id=worker_id, household_id=household_id, name=name,
                                   phone=WORKER_PHONES.get(worker_id)))
                session.flush()
                session.add(Assignment(worker_id=worker_id, site_id=site_id, start_date=date(2026, 5, 1),
                                       scheme=schemes[site_id]))
        demo_jobs.register(session)
    events = list(_history())
    with runtime.sessions.begin() as session:
        for start in range(0, len(events), 1000):
            parsed, errors = parse_all(events[start:start + 1000])
            accept_events(session, runtime.bus, runtime.settings.topic_work_events, parsed, errors,
                          work_today(runtime.settings))
        return len(events) + demo_jobs.stage_registry(session, runtime)


def finish_demo(runtime: Runtime) -> str:
    """Refer labourers to the vacancies; approve and pay May to September (Longshi tea's September approved but
    left unpaid); run the alert rules for October as on 5 November; make the demo's accounts (`ACCOUNTS`); then
    answer the Chen family's alert with a hire (app.demo_jobs, with a consumer running); raise Wang Li's dispute;
    return a token for Yudu's poverty office."""
    demo_jobs.refer(runtime)
    actor, checker = Actor("demo", "post_manager"), Actor("demo-checker", "post_manager")  # maker-checker
    with runtime.sessions.begin() as session:
        for month in MONTHS[:-1]:
            approved_on = datetime.fromisoformat(f"{month}-01") + timedelta(days=40)
            for site_id, *_ in SITES:
                move_period(session, site_id, month, "close", actor)
                move_period(session, site_id, month, "approve", checker)
                session.execute(update(PeriodTransition).where(
                    PeriodTransition.site_id == site_id, PeriodTransition.month == month,
                    PeriodTransition.to_status.in_(("closed", "approved"))).values(at=approved_on))
                if (site_id, month) != ("ws-tea", "2026-09"):
                    batch = pay_period(session, site_id, month, actor)
                    record_bank_results(session, batch, [LineResult(line.id, "confirmed") for line in batch.lines])
        evaluate(session, runtime.bus, runtime.settings.topic_alerts, MONTHS[-1], AS_OF,
                 thresholds_from(runtime.settings))
        for login, name, role, region, sites, password in ACCOUNTS:
            create_account(session, login=login, name=name, role=role, region_code=region, site_ids=sites,
                           password=password)
        token = issue_token(session, name="Yudu poverty office (demo)", role="poverty_office", region_code="360731")
    demo_jobs.hire(runtime)
    raise_demo_dispute(runtime)
    return token


def raise_demo_dispute(runtime: Runtime) -> None:
    """Wang Li says her hours of 12 October were more than recorded: an open dispute for the Pantian shoe
    workshop's supervisor (pantian-shoes) to answer, and for Wang Li to follow on his pages."""
    claim = Claim("ws-shoes", date(2026, 10, 12), "hours", Decimal(10), note="那天加班到晚上七点")
    with runtime.sessions.begin() as session:
        raise_dispute(session, runtime.bus, runtime.settings.topic_work_events, "wang-li", claim, AS_OF)


def sign_in_lines() -> list[str]:
    """The demo's accounts as bin/demo prints them: login, password, whose."""
    logins, passwords = (max(len(row[column]) for row in ACCOUNTS) for column in (0, -1))
    return [f"{login:<{logins}}  {password:<{passwords}}  {name}" for login, name, _, _, _, password in ACCOUNTS]


def _history():
    rng = random.Random(2026)
    for _, _, _, _, workers in HOUSEHOLDS:
        for worker_id, _, site_id, story in workers:
            scheme = next(s for sid, *_, s in SITES if sid == site_id)
            for day in _working_days():
                status = _status(rng, story, day)
                if status is not None:
                    yield from _events(rng, worker_id, site_id, scheme["kind"], day, status)


def _working_days():
    day = date(2026, 5, 1)
    while day <= date(2026, 10, 31):
        if day.weekday() != 6:
            yield day
        day += timedelta(days=1)


def _status(rng: random.Random, story: str, day: date) -> str | None:
    if story == "stops in October" and day >= date(2026, 10, 8):
        return None
    if story == "gone since mid-October" and day >= date(2026, 10, 15):
        return "absent"
    if story == "part time" and day.day > 10:
        return None
    return rng.choices(["present", "half_day", "absent", "leave"], [88, 5, 4, 3])[0]


def _events(rng: random.Random, worker_id: str, site_id: str, kind: str, day: date, status: str):
    base = {"specversion": "1.0", "source": f"sites/{site_id}/phone",
            "time": f"{day.isoformat()}T18:30:00+08:00"}
    if kind == "piece":
        if status in ("present", "half_day"):
            for product in ("basket", "mat"):
                yield {**base, "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "type": "output.recorded",
                       "data": {"worker_id": worker_id, "site_id": site_id, "date": day.isoformat(),
                                "product": product, "grade": rng.choice("AAAB"), "quantity": rng.randint(3, 12)}}
        return
    data = {"worker_id": worker_id, "site_id": site_id, "date": day.isoformat(), "status": status}
    if kind == "hourly" and status == "present":
        data["minutes"] = rng.choice([420, 480, 480, 540])
    yield {**base, "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "type": "attendance.recorded",
           "data": data}
