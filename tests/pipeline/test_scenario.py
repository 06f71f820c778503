"""The core scenario on the embedded default: API -> event log -> wage consumer -> balances."""
from __future__ import annotations

import json

import pytest
from support.pipeline import earned, nonzero, post_in_batches
from support.scenario import build_scenario, register

from events.bus import OutgoingMessage


@pytest.fixture
def scenario():
    return build_scenario(seed=7)


def test_every_worker_earns_exactly_what_the_rules_give(api, consume, scenario):
    register(api, scenario)
    statuses = post_in_batches(api, scenario.events)
    consume()
    assert earned(api, scenario) == nonzero(scenario.expected)
    assert sum(scenario.expected.values()) > 0
    # every id was accepted exactly once, and each redelivery answered as a duplicate
    assert all(s[0] == "accepted" and set(s[1:]) <= {"duplicate"} for s in statuses.values())
    assert sum(len(s) - 1 for s in statuses.values()) == len(scenario.events) - len(scenario.unique_events)


def test_scenario_covers_every_scheme_and_every_kind_of_mess(scenario):
    types = {e["type"] for e in scenario.events}
    assert types == {"attendance.recorded", "output.recorded", "output.voided"}
    assert len(scenario.events) > len(scenario.unique_events)  # redeliveries
    keys = [(e["data"]["worker_id"], e["data"]["date"]) for e in scenario.unique_events
            if e["type"] == "attendance.recorded"]
    assert len(keys) > len(set(keys))  # corrections
    assert len({s["scheme"]["kind"] for s in scenario.assignments}) == 4
    assert len(scenario.workers) >= 30


def test_replaying_every_event_a_second_time_changes_no_balance(api, consume, runtime, scenario):
    register(api, scenario)
    post_in_batches(api, scenario.events)
    consume()
    before = earned(api, scenario)
    producer = runtime.bus.producer()
    for event in scenario.unique_events:
        producer.send(OutgoingMessage(runtime.settings.topic_work_events, event["data"]["worker_id"],
                                      json.dumps(event).encode()))
    assert consume() == len(scenario.unique_events)
    assert earned(api, scenario) == before
    assert api.get("/dead-letters").get_json()["items"] == []


def test_arrival_order_does_not_change_any_balance(api, consume, scenario):
    register(api, scenario)
    voids = [e for e in scenario.events if e["type"] == "output.voided"]
    others = [e for e in reversed(scenario.events) if e["type"] != "output.voided"]
    post_in_batches(api, voids + others, size=97)  # every void before its output
    consume()
    assert earned(api, scenario) == nonzero(scenario.expected)
