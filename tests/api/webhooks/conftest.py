"""Fixtures of the webhook tests: quick backoff and polling, receivers on 127.0.0.1, poverty office clients."""
from __future__ import annotations

import contextlib
import dataclasses

import pytest
from support.webhook_receiver import WebhookReceiver
from support.webhooks import BASE_S


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, webhook_backoff_base_s=BASE_S, webhook_backoff_max_s=60.0,
                               webhook_max_attempts=8, webhook_timeout_s=5.0, webhook_poll_s=0.05)


@pytest.fixture
def receiver():
    """`receiver()` starts one; all are stopped at the end of the test."""
    with contextlib.ExitStack() as started:
        yield lambda *answers: started.enter_context(WebhookReceiver(*answers))


@pytest.fixture
def office(api, token, world):
    """A client with a poverty office token of `region` (the first county by default)."""
    return lambda region=world.county: api.as_token(token("poverty_office", region))
