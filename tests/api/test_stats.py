"""Employment statistics of a seeded county, against counts computed here from the events."""
from __future__ import annotations

from datetime import datetime

import pytest
from support.pipeline import post_in_batches
from support.scenario import SITES, build_scenario, register

from app.access.tokens import issue_token


def independent_counts(scenario, day: str, villages: list[str]) -> dict[str, tuple[int, int, int, int]]:
    latest = {}
    for e in scenario.unique_events:
        if e["type"] == "attendance.recorded" and e["data"]["date"] == day:
            key = (e["data"]["worker_id"], e["data"]["site_id"])
            order = (datetime.fromisoformat(e["time"]), e["id"])
            if key not in latest or order > latest[key][0]:
                latest[key] = (order, e["data"]["status"])
    voided = {e["data"]["output_id"] for e in scenario.unique_events if e["type"] == "output.voided"}
    at_work = {key for key, (_, status) in latest.items() if status in ("present", "half_day")}
    at_work |= {(e["data"]["worker_id"], e["data"]["site_id"]) for e in scenario.unique_events
                if e["type"] == "output.recorded" and e["data"]["date"] == day and e["id"] not in voided}
    household = {w["id"]: w["household_id"] for w in scenario.workers}
    poor = {h["id"] for h in scenario.households if h["status"] in ("poor", "monitored")}  # as the province counts
    village_of = {s["id"]: s["region_code"] for s in SITES}
    counts = {}
    for village in villages:
        sites = {s["id"] for s in SITES if s["region_code"] == village}
        workers = {w for w, s in at_work if village_of[s] == village}
        counts[village] = (len(sites), len({s for _, s in at_work if s in sites}), len(workers),
                           len({w for w in workers if household[w] in poor}))
    return counts


@pytest.mark.parametrize("day", ["2026-03-02", "2026-03-12", "2026-04-18"])
def test_employment_stats_match_counts_computed_from_the_events(api, consume, day):
    scenario = build_scenario(seed=7)
    register(api, scenario)
    post_in_batches(api, scenario.events)
    consume()
    villages = ["360731101201", "360731101202"]
    want = independent_counts(scenario, day, villages)
    body = api.get("/stats/employment", region="360731101", date=day).get_json()
    got = {c["code"]: (c["sites"], c["active_sites"], c["workers_at_work"], c["poor_workers_at_work"])
           for c in body["children"]}
    assert got == want
    totals = tuple(sum(v[i] for v in want.values()) for i in range(4))
    region = body["region"]
    assert (region["sites"], region["active_sites"], region["workers_at_work"],
            region["poor_workers_at_work"]) == totals
    assert region["resumption_rate"] == f"{totals[1] / totals[0]:.4f}"
    province = api.get("/stats/employment", region="36", date=day).get_json()
    assert [c["code"] for c in province["children"]] == ["3607"]
    assert province["region"]["workers_at_work"] == totals[2]


def test_a_caller_outside_the_region_is_refused(api, runtime):
    register(api, build_scenario(seed=7))
    with runtime.sessions.begin() as session:
        token = issue_token(session, name="x", role="poverty_office", region_code="360731101202")
    office = api.as_token(token)
    assert office.get("/stats/employment", region="360731101201", date="2026-03-02").status_code == 403
    own = office.get("/stats/employment", date="2026-03-02")
    assert own.status_code == 200 and own.get_json()["region"]["code"] == "360731101202"
