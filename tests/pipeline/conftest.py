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
    they are, with the headers given (the API's own messages carry a content hash header), keyed by the event's
    worker unless a key is given."""
    producer = runtime.bus.producer()

    def send(value: dict | bytes, key: str | None = None, headers: dict[str, str] | None = None) -> None:
        raw = value if isinstance(value, bytes) else json.dumps(value).encode()
        producer.send(OutgoingMessage(runtime.settings.topic_work_events, key or worker_of(raw), raw, headers or {}))

    return send


def worker_of(raw: bytes) -> str:
    """The worker a message's event is for, as a producer keys it; a worker of the county for what is no event."""
    try:
        return json.loads(raw)["data"]["worker_id"]
    except (ValueError, KeyError, TypeError):
        return "ws-shoes-w1"
