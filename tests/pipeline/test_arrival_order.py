"""The wages never depend on the order in which events arrive (docs/domain.md): a device that was offline sends
its day in any order, through the API or straight on the bus, in one batch or over several, some twice.

Each example is two pairs of fresh workers at the toy workshop (piece) and the tea workshop (daily) of the
seed-7 county, with the same work: one pair gets it in order (a void after its output, corrections after
what they correct), the other in a drawn order. Both pairs end with the same wage lines, which are the
earnings the independent model of tests/support/scenario.py gives."""
from __future__ import annotations

import dataclasses
import itertools
import json
import uuid
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from support.pipeline import nonzero, post_in_batches, work_event
from support.scenario import expected_earnings

VILLAGE = "360731101201"
TOYS, TEA = "ws-toys", "ws-tea"
SCHEMES = {TOYS: {"kind": "piece", "rates": {"bear": 35, "duck": 120, "kite": 7}},
           TEA: {"kind": "daily", "day_rate_fen": 12345}}
DAYS = ("2026-03-02", "2026-03-03", "2026-03-31", "2026-04-01")
_examples = itertools.count()


@dataclass(frozen=True)
class Delivery:
    event: dict
    on_bus: bool  # straight on the bus, as another producer or a redelivery; else POSTed to the API
    then_consume: bool  # the consumer drains the bus after it (a batch ends; the rest come later)


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, consumer_poll_ms=0)  # a drain ends at the first empty poll: no wait


outputs = st.lists(st.tuples(st.integers(0, 1), st.sampled_from(DAYS), st.sampled_from(("bear", "duck", "kite")),
                             st.sampled_from("ABC"), st.integers(0, 30),
                             st.sampled_from(("kept", "kept", "voided", "voided twice", "voided by the other"))),
                   max_size=6)
attendance = st.lists(st.tuples(st.integers(0, 1), st.sampled_from(DAYS),
                                st.sampled_from(("present", "half_day", "absent", "leave"))), max_size=6)


def work(workers: list[str], drawn_outputs, drawn_attendance, orphan_voids: int) -> tuple[list[dict], set[str]]:
    """The events of the drawn work, in order, and the ids of the voids of another worker's output."""
    events, voids, strays = [], [], set()
    for n, (who, day, status) in enumerate(drawn_attendance):  # each later than the last: a correction wins
        events.append(work_event("attendance.recorded", f"{day}T18:{n:02d}:00+08:00",
                             {"worker_id": workers[who], "site_id": TEA, "date": day, "status": status}))
    for who, day, product, grade, quantity, fate in drawn_outputs:
        output = work_event("output.recorded", f"{day}T17:00:00+08:00", {
            "worker_id": workers[who], "site_id": TOYS, "date": day, "product": product, "grade": grade,
            "quantity": quantity})
        events.append(output)
        cancelled_by = {"kept": [], "voided": [who], "voided twice": [who, who], "voided by the other": [1 - who]}
        for canceller in cancelled_by[fate]:
            void = work_event("output.voided", f"{day}T19:00:00+08:00",
                          {"worker_id": workers[canceller], "site_id": TOYS, "output_id": output["id"]})
            voids.append(void)
            if canceller != who:
                strays.add(void["id"])
    for _ in range(orphan_voids):  # their output never comes
        voids.append(work_event("output.voided", "2026-03-02T19:00:00+08:00",
                            {"worker_id": workers[0], "site_id": TOYS, "output_id": str(uuid.uuid4())}))
    return events + voids, strays


def register(api, workers: list[str]) -> list[dict]:
    assignments = []
    for worker in workers:
        api.created("/households", {"id": f"hh-{worker}", "region_code": VILLAGE, "size": 3, "status": "poor"})
        api.created("/workers", {"id": worker, "household_id": f"hh-{worker}", "name": f"Worker {worker}"})
        for site, scheme in SCHEMES.items():
            assignments.append(api.created("/assignments", {
                "id": f"as-{worker}-{site}", "worker_id": worker, "site_id": site, "start_date": "2026-03-01",
                "end_date": None, "scheme": scheme}))
    return assignments


def deliver(api, consume, produce, deliveries: list[Delivery]) -> None:
    """POST consecutive API events as one request; put the others on the bus; drain where the draw says."""
    request: list[dict] = []
    for delivery in deliveries:
        if delivery.on_bus:
            post_in_batches(api, request)  # what came before it is on the bus before it
            request = []
            produce(json.dumps(delivery.event).encode(), key=delivery.event["data"]["worker_id"])
        else:
            request.append(delivery.event)
        if delivery.then_consume:
            post_in_batches(api, request)
            request = []
            consume()
    post_in_batches(api, request)
    consume()


def lines(api, worker: str) -> list[tuple[str, str, int]]:
    items = api.get(f"/workers/{worker}/wages", limit=500).get_json()["items"]
    return sorted((line["site_id"], line["date"], line["amount_fen"]) for line in items)


def renamed(events: list[dict], names: dict[str, str]) -> list[dict]:
    """The same work under other event ids and workers (`names` maps the old workers to the new)."""
    ids = {event["id"]: str(uuid.uuid4()) for event in events}
    copies = []
    for event in events:
        data = {**event["data"], "worker_id": names[event["data"]["worker_id"]]}
        if "output_id" in data:
            data["output_id"] = ids.get(data["output_id"], data["output_id"])
        copies.append({**event, "id": ids[event["id"]], "data": data})
    return copies


@examples(max_examples=25, deadline=None,
          # the county is shared by the examples, which each register fresh workers and touch nothing else
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(drawn_outputs=outputs, drawn_attendance=attendance, orphan_voids=st.integers(0, 1), data=st.data())
def test_any_arrival_order_gives_the_wage_lines_of_the_order_of_events(
        api, consume, county, produce, drawn_outputs, drawn_attendance, orphan_voids, data):
    n = next(_examples)
    in_order, shuffled = [f"io{n}-a", f"io{n}-b"], [f"sh{n}-a", f"sh{n}-b"]
    assignments = register(api, in_order + shuffled)
    events, strays = work(in_order, drawn_outputs, drawn_attendance, orphan_voids)
    deliver(api, consume, produce, [Delivery(e, on_bus=e["id"] in strays, then_consume=False) for e in events])

    copies = renamed(events, dict(zip(in_order, shuffled)))
    stray_copies = {copy["id"] for event, copy in zip(events, copies) if event["id"] in strays}
    order = data.draw(st.permutations(copies), label="arrival order")
    redelivered = data.draw(st.lists(st.sampled_from(copies), max_size=3) if copies else st.just([]),
                            label="sent twice")
    arrivals = data.draw(st.permutations(order + redelivered), label="with redeliveries") if redelivered else order
    seen: set[str] = set()
    deliveries = []
    for event in arrivals:
        again = event["id"] in seen
        seen.add(event["id"])
        deliveries.append(Delivery(event, on_bus=again or event["id"] in stray_copies or data.draw(st.booleans()),
                                   then_consume=data.draw(st.booleans())))
    deliver(api, consume, produce, deliveries)

    for original, copy in zip(in_order, shuffled):
        assert lines(api, copy) == lines(api, original)
    expected = nonzero(expected_earnings(assignments, events + copies))
    earned = {}
    for worker in in_order + shuffled:
        for period in api.get(f"/workers/{worker}/balance").get_json()["periods"]:
            earned[(worker, period["period"])] = period["earned_fen"]
    assert nonzero(earned) == expected
