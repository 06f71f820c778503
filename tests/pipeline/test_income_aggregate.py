"""The income the consumers keep per worker and month (worker_month_income) is always the sum of that worker's
wage lines dated in the month and the adjustments of the month, whatever arrives: corrections, voids,
redeliveries, late facts of approved months (adjustments), and after a rebuild from the event log.

Each example has two fresh sites (piece and daily) and two fresh workers of the seed-7 county, so that the
months it approves are its own."""
from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from support.income import income_from_lines, stored_income
from support.pipeline import post_in_batches, work_event
from support.scenario import build_scenario, register

from app.pay.income import household_income

VILLAGE = "360731101201"
SCHEMES = {"toys": {"kind": "piece", "rates": {"bear": 35, "duck": 120, "kite": 7}},
           "tea": {"kind": "daily", "day_rate_fen": 12345}}
DAYS = ("2026-03-02", "2026-03-31", "2026-04-01", "2026-04-30", "2026-05-04")
_examples = itertools.count()


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, consumer_poll_ms=0)  # a drain ends at the first empty poll: no wait


def register_example(api, n: int | str) -> tuple[dict[str, str], list[str]]:
    sites = {kind: f"ia{n}-{kind}" for kind in SCHEMES}
    workers = [f"ia{n}-a", f"ia{n}-b"]
    for kind, site in sites.items():
        api.created("/sites", {"id": site, "kind": "workshop", "name": site, "region_code": VILLAGE})
    for worker in workers:
        api.created("/households", {"id": f"hh-{worker}", "region_code": VILLAGE, "size": 2, "status": "poor"})
        api.created("/workers", {"id": worker, "household_id": f"hh-{worker}", "name": worker})
        for kind, site in sites.items():
            api.created("/assignments", {"id": f"as-{worker}-{site}", "worker_id": worker, "site_id": site,
                                         "start_date": "2026-03-01", "end_date": None, "scheme": SCHEMES[kind]})
    return sites, workers


# (worker, day, product, quantity, voided) outputs; (worker, day, status) attendance, later ones correcting
outputs = st.lists(st.tuples(st.integers(0, 1), st.sampled_from(DAYS), st.sampled_from(("bear", "duck", "kite")),
                             st.integers(0, 30), st.booleans()), max_size=6)
attendance = st.lists(st.tuples(st.integers(0, 1), st.sampled_from(DAYS),
                                st.sampled_from(("present", "half_day", "absent", "leave"))), max_size=8)


def work(sites: dict[str, str], workers: list[str], drawn_outputs, drawn_attendance) -> list[dict]:
    events = [work_event("attendance.recorded", f"{day}T18:{n:02d}:00+08:00",
                     {"worker_id": workers[who], "site_id": sites["tea"], "date": day, "status": status})
              for n, (who, day, status) in enumerate(drawn_attendance)]
    for who, day, product, quantity, voided in drawn_outputs:
        output = work_event("output.recorded", f"{day}T17:00:00+08:00", {
            "worker_id": workers[who], "site_id": sites["toys"], "date": day, "product": product, "grade": "A",
            "quantity": quantity})
        events.append(output)
        if voided:
            events.append(work_event("output.voided", f"{day}T19:00:00+08:00",
                                 {"worker_id": workers[who], "site_id": sites["toys"], "output_id": output["id"]}))
    return events


def approve(api, checker, sites: dict[str, str], month: str) -> None:
    """`api` closes the month of each site and `checker`, a second person, approves it."""
    for site in sites.values():
        assert api.post(f"/sites/{site}/periods/{month}/close", {}).status_code == 200
        assert checker.post(f"/sites/{site}/periods/{month}/approve", {}).status_code == 200


@examples(max_examples=30, deadline=None,
          # the county is shared by the examples, which each register their own sites and workers
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(drawn_outputs=outputs, drawn_attendance=attendance, data=st.data())
def test_the_kept_income_is_the_sum_of_the_wage_lines_and_adjustments(
        api, checker, consume, county, runtime, drawn_outputs, drawn_attendance, data):
    sites, workers = register_example(api, next(_examples))
    events = work(sites, workers, drawn_outputs, drawn_attendance)
    redelivered = data.draw(st.lists(st.sampled_from(events), max_size=3) if events else st.just([]),
                            label="sent twice")
    arrivals = data.draw(st.permutations(events + redelivered), label="arrival order")
    first, second = sorted(data.draw(st.lists(st.integers(0, len(arrivals)), min_size=2, max_size=2), label="cuts"))
    approvals = [("2026-03", data.draw(st.booleans(), label="March approved after the first part")),
                 ("2026-04", data.draw(st.booleans(), label="April approved after the second part"))]
    for part, (month, approved) in zip((arrivals[:first], arrivals[first:second]), approvals):
        post_in_batches(api, part)
        consume()
        assert stored_income(runtime) == income_from_lines(runtime)
        if approved:
            approve(api, checker, sites, month)
    post_in_batches(api, arrivals[second:])
    consume()
    assert stored_income(runtime) == income_from_lines(runtime)


def test_a_rebuild_restores_the_same_income(app, api, checker, consume, runtime):
    scenario = build_scenario(seed=7)
    register(api, scenario)
    march = [e for e in scenario.events if e["time"].startswith("2026-03")]
    post_in_batches(api, march[: len(march) // 2])
    consume()
    approve(api, checker, {site: site for site in ("ws-tea", "ws-toys")}, "2026-03")
    post_in_batches(api, [e for e in scenario.events if e not in march[: len(march) // 2]])
    consume()
    before = stored_income(runtime)
    assert before == income_from_lines(runtime) and any(month == "2026-03" for _, month in before)

    assert app.test_cli_runner().invoke(args=["rebuild"]).exit_code == 0
    assert stored_income(runtime) == income_from_lines(runtime)  # what approval froze still counts
    consume()
    assert stored_income(runtime) == before



def test_a_month_whose_income_came_back_to_nothing_is_absent_as_without_lines(api, consume, county, runtime):
    sites, [worker, _] = register_example(api, "zero")
    post_in_batches(api, [work_event("attendance.recorded", "2026-03-02T18:00:00+08:00",
                                 {"worker_id": worker, "site_id": sites["tea"], "date": "2026-03-02",
                                  "status": "present"})])
    consume()
    with runtime.sessions.begin() as session:
        assert household_income(session, ["2026-03"], [f"hh-{worker}"]) == {f"hh-{worker}": {"2026-03": 12345}}
    post_in_batches(api, [work_event("attendance.recorded", "2026-03-02T18:30:00+08:00",
                                 {"worker_id": worker, "site_id": sites["tea"], "date": "2026-03-02",
                                  "status": "absent"})])
    consume()
    with runtime.sessions.begin() as session:
        assert household_income(session, ["2026-03"], [f"hh-{worker}"]) == {}
