"""Fixtures of the pipeline tests that put messages on the bus themselves."""
from __future__ import annotations

import json

import pytest
from support.scenario import build_scenario, register

from events.bus import OutgoingMessage


@pytest.fixture
def county(api):
    """The seed-7 scenario's county, registered through the API."""
    register(api, build_scenario(seed=7))


@pytest.fixture
def produce(runtime):
    """Put a message straight on the work-events topic, as another producer would: a dict as JSON, bytes as
    they are, with the headers given (the API's own messages carry a content hash header)."""
    producer = runtime.bus.producer()

    def send(value: dict | bytes, key: str = "ws-shoes-w1", headers: dict[str, str] | None = None) -> None:
        raw = value if isinstance(value, bytes) else json.dumps(value).encode()
        producer.send(OutgoingMessage(runtime.settings.topic_work_events, key, raw, headers or {}))

    return send
