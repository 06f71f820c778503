"""The consumer process keeps the garbage collector out of its batches (consumers.loop.tune_garbage_collector):
a batch's objects are freed by reference counting when it ends, and walking them mid-batch is wasted CPU.
The few cycles a batch leaves are collected before the next poll, not hundreds of batches later."""
from __future__ import annotations

import gc
from dataclasses import replace

import pytest
from support.pipeline import post_in_batches
from support.scenario import build_scenario, register

from consumers.loop import consume_once, tune_garbage_collector


@pytest.fixture
def settings(settings):
    return replace(settings, consumer_batch_size=1000)


@pytest.fixture
def collections():
    """(generation, objects collected) of each collection the garbage collector runs; the collector as it was,
    afterwards."""
    ran: list[tuple[int, int]] = []

    def count(phase: str, info: dict) -> None:
        if phase == "stop":
            ran.append((info["generation"], info["collected"]))

    threshold = gc.get_threshold()
    gc.callbacks.append(count)
    yield ran
    gc.callbacks.remove(count)
    gc.set_threshold(*threshold)
    gc.unfreeze()


def test_a_batch_runs_no_collection_once_the_collector_is_tuned(api, runtime, collections):
    scenario = build_scenario(seed=7)
    register(api, scenario)
    post_in_batches(api, scenario.events, size=500)
    consumer = runtime.bus.consumer(runtime.settings.consumer_group, [runtime.settings.topic_work_events])
    try:
        gc.set_threshold(700, 10, 10)  # Python's default
        gc.collect()
        collections.clear()
        assert consume_once(runtime, consumer) == 1000
        assert len(collections) > 1, "at Python's default threshold a batch of 1,000 events runs collections"

        tune_garbage_collector()
        collections.clear()
        assert consume_once(runtime, consumer) == 1000
        [(generation, _)] = collections  # the youngest generation's, before the poll: none inside the batch
        assert generation == 0

        collections.clear()
        assert consume_once(runtime, consumer) > 0  # the rest of the scenario
        [(generation, collected)] = collections
        assert generation == 0 and collected > 0, "the last batch's cycles are collected before the next poll"
    finally:
        consumer.close()
