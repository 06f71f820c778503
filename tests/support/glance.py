"""The county at a glance of the seeded scenario (support/scenario.py), made through the API and the
pipeline, and the weekly counts docs/domain.md's words give for it, computed here from the events."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from support.pipeline import post_in_batches, work_event
from support.scenario import SITES, Scenario, build_scenario, register

COUNTY, VILLAGES = "360731", ("360731101201", "360731101202")
# A post filled only from April on, and a worker of one village who also works in the other one.
LATE_POST = {"id": "post-bridge", "kind": "post", "name": "Bridge keeper", "region_code": "360731101202"}
LATE_ASSIGNMENT = {"id": "as-bridge", "worker_id": "post-forest-w0", "site_id": "post-bridge",
                   "start_date": "2026-04-08", "end_date": None,
                   "scheme": {"kind": "monthly", "stipend_fen": 50000, "required_days": 20}}
SECOND_JOB = {"id": "as-second", "worker_id": "ws-shoes-w1", "site_id": "ws-bamboo", "start_date": "2026-03-01",
              "end_date": None, "scheme": {"kind": "hourly", "rate_fen": 1650}}


@dataclass
class World:
    scenario: Scenario
    sites: list[dict]
    assignments: list[dict]
    events: list[dict]


def make_world(api, consume) -> World:
    """The scenario through the API and the consumer, with the late post and the second job."""
    scenario = build_scenario(seed=7)
    register(api, scenario)
    api.created("/sites", LATE_POST)
    for assignment in (LATE_ASSIGNMENT, SECOND_JOB):
        api.created("/assignments", assignment)
    second = [work_event("attendance.recorded", f"{day}T18:00:00+08:00",
                         {"worker_id": "ws-shoes-w1", "site_id": "ws-bamboo", "date": day, "status": "present",
                          "minutes": 120}) for day in ("2026-03-03", "2026-03-04", "2026-04-14")]
    post_in_batches(api, scenario.events + second)
    consume()
    return World(scenario, [*SITES, LATE_POST], [*scenario.assignments, LATE_ASSIGNMENT, SECOND_JOB],
                 scenario.unique_events + second)


def worked_days(events: list[dict]) -> set[tuple[str, str, date]]:
    """(worker, site, day) with a winning present or half-day record, or output not voided."""
    latest = {}
    for e in events:
        if e["type"] == "attendance.recorded":
            key = (e["data"]["worker_id"], e["data"]["site_id"], e["data"]["date"])
            order = (datetime.fromisoformat(e["time"]), e["id"])
            if key not in latest or order > latest[key][0]:
                latest[key] = (order, e["data"]["status"])
    voided = {e["data"]["output_id"] for e in events if e["type"] == "output.voided"}
    days = {key for key, (_, status) in latest.items() if status in ("present", "half_day")}
    days |= {(e["data"]["worker_id"], e["data"]["site_id"], e["data"]["date"]) for e in events
             if e["type"] == "output.recorded" and e["id"] not in voided}
    return {(worker, site, date.fromisoformat(day)) for worker, site, day in days}


def expected_week(world: World, monday: date, villages: tuple[str, ...]) -> tuple[int, ...]:
    """(workers at work, poor ones, workshops, resumed, posts, filled) of a week there."""
    sunday = monday + timedelta(days=6)
    sites = {s["id"]: s for s in world.sites if s["region_code"] in villages}
    household = {w["id"]: w["household_id"] for w in world.scenario.workers}
    poor = {h["id"] for h in world.scenario.households if h["status"] in ("poor", "monitored")}
    worked = {(worker, site) for worker, site, day in worked_days(world.events)
              if site in sites and monday <= day <= sunday}
    workers = {worker for worker, _ in worked}
    workshops = {s for s in sites if sites[s]["kind"] == "workshop"}
    posts = {s for s in sites if sites[s]["kind"] == "post"}
    on_posts = [(a["worker_id"], a["site_id"]) for a in world.assignments if a["site_id"] in posts
                and date.fromisoformat(a["start_date"]) <= sunday
                and (a["end_date"] is None or date.fromisoformat(a["end_date"]) >= monday)]
    return (len(workers), len({w for w in workers if household[w] in poor}), len(workshops),
            len({site for _, site in worked} & workshops), len(posts), len({site for _, site in on_posts}))


def counted(week) -> tuple[int, ...]:
    return (week.workers_at_work, week.poor_workers_at_work, week.workshops, week.workshops_resumed, week.posts,
            week.posts_filled)
