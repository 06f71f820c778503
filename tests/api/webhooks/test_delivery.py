"""Alert webhooks POSTed to a real HTTP receiver: signed, retried with backoff, logged, and delivered by the
webhooks process.

The receiver checks each signature itself, with the secret the registration returned: what a
Standard Webhooks library on the other side would do.
"""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from support.processes import ROOT, wait_until
from support.webhook_receiver import Received
from support.webhooks import BASE_S, deliver, raise_alert

from app.alerts.webhooks import backoff_delay, enqueue_deliveries, new_secret, sign
from app.db.models import Alert, WebhookDelivery


def signature_is_valid(secret: str, request: Received) -> bool:
    """Standard Webhooks, checked here from first principles: HMAC-SHA256 over "{id}.{timestamp}.{body}"."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{request.headers['webhook-id']}.{request.headers['webhook-timestamp']}.".encode() + request.body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, candidate) for candidate in request.headers["webhook-signature"].split())


def log_of(client, webhook_id: str, **params) -> list[dict]:
    response = client.get(f"/webhooks/{webhook_id}/deliveries", **params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- signing ---------------------------------------------------------------------------------------------


def test_signatures_reproduce_the_published_standard_webhooks_test_vector():
    signature = sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                     b'{"test": 2432232314}')

    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_a_new_secret_is_whsec_and_24_random_bytes():
    first, second = new_secret(), new_secret()

    assert first.startswith("whsec_") and len(base64.b64decode(first.removeprefix("whsec_"))) == 24
    assert first != second


# --- delivery --------------------------------------------------------------------------------------------


def test_an_alert_reaches_the_receiver_once_signed_with_the_secret_given_at_registration(runtime, world, office,
                                                                                          receiver):
    endpoint = receiver()
    client = office()
    hook = client.created("/webhooks", {"url": endpoint.url})
    event, queued = raise_alert(runtime, world.village)

    assert queued == 1
    assert deliver(runtime) == 1
    assert deliver(runtime) == 0

    [request] = endpoint.requests
    [delivery] = log_of(client, hook["id"])
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == delivery["id"]
    assert abs(int(request.headers["webhook-timestamp"]) - datetime.now(UTC).timestamp()) < 60
    assert request.headers["webhook-signature"].startswith("v1,")
    assert signature_is_valid(hook["secret"], request)
    assert not signature_is_valid(hook["secret"], Received(request.headers, request.body + b" "))
    assert json.loads(request.body) == event
    assert event["type"] == "alert.raised" and event["data"]["kind"] == "income_drop"
    assert event["data"]["region_code"] == world.village
    assert delivery["status"] == "delivered" and delivery["attempts"] == 1
    assert delivery["alert_id"] == event["id"] and delivery["delivered_at"] and delivery["next_attempt_at"] is None
    assert [(a["attempt"], a["status_code"], a["error"]) for a in delivery["attempt_log"]] == [(1, 200, None)]


def test_a_receiver_failing_twice_gets_the_alert_on_the_third_attempt_and_the_log_shows_all_three(
        runtime, world, office, receiver):
    endpoint = receiver(500, 500)
    client = office()
    hook = client.created("/webhooks", {"url": endpoint.url})
    event, _ = raise_alert(runtime, world.village)
    start = datetime.now(UTC)

    assert deliver(runtime, start) == 1
    assert log_of(client, hook["id"])[0]["status"] == "pending"
    assert deliver(runtime, start + timedelta(seconds=1)) == 1
    assert deliver(runtime, start + timedelta(seconds=2)) == 1

    assert len(endpoint.requests) == 3
    assert len({request.headers["webhook-id"] for request in endpoint.requests}) == 1  # one message, retried
    assert all(signature_is_valid(hook["secret"], request) for request in endpoint.requests)
    assert all(json.loads(request.body) == event for request in endpoint.requests)
    [delivery] = log_of(client, hook["id"])
    assert delivery["status"] == "delivered" and delivery["attempts"] == 3
    assert [(a["attempt"], a["status_code"]) for a in delivery["attempt_log"]] == [(1, 500), (2, 500), (3, 200)]
    assert all(a["duration_ms"] >= 0 and a["at"] for a in delivery["attempt_log"])


def test_queueing_an_alert_again_makes_no_second_delivery(runtime, world, office, receiver):
    endpoint = receiver()
    office().created("/webhooks", {"url": endpoint.url})
    event, queued = raise_alert(runtime, world.village)

    with runtime.sessions.begin() as session:
        again = enqueue_deliveries(session, session.get(Alert, event["id"]))

    assert (queued, again) == (1, 0)
    assert deliver(runtime) == 1
    assert len(endpoint.requests) == 1


def test_a_410_gone_disables_the_webhook_and_nothing_more_is_sent_to_it(runtime, world, office, receiver):
    endpoint = receiver(410)
    client = office()
    hook = client.created("/webhooks", {"url": endpoint.url})
    raise_alert(runtime, world.village, month="2026-04")
    raise_alert(runtime, world.village, month="2026-05")

    assert deliver(runtime) == 1  # the second one is disabled with its webhook, never sent

    _, queued = raise_alert(runtime, world.village, month="2026-06")
    assert queued == 0
    assert deliver(runtime, datetime.now(UTC) + timedelta(days=1)) == 0
    assert len(endpoint.requests) == 1
    webhook = client.get(f"/webhooks/{hook['id']}").get_json()
    assert webhook["active"] is False and "410" in webhook["disabled_reason"]
    log = log_of(client, hook["id"])
    assert sorted(delivery["status"] for delivery in log) == ["disabled", "disabled"]
    assert sorted(len(delivery["attempt_log"]) for delivery in log) == [0, 1]


def test_backoff_doubles_with_jitter_and_gives_up_after_the_last_attempt(runtime, world, office, receiver):
    endpoint = receiver(*[503] * 10)
    client = office()
    hook = client.created("/webhooks", {"url": endpoint.url})
    raise_alert(runtime, world.village)
    settings = dataclasses.replace(runtime.settings, webhook_max_attempts=5)

    waits = []
    now = datetime.now(UTC)
    for _ in range(4):
        assert deliver(runtime, now, settings) == 1
        [delivery] = log_of(client, hook["id"])
        assert delivery["status"] == "pending"
        due = instant(delivery["next_attempt_at"])
        waits.append((due - now).total_seconds())
        assert deliver(runtime, due - timedelta(microseconds=1), settings) == 0  # not before it is due
        now = due
    assert deliver(runtime, now, settings) == 1

    for n, wait in enumerate(waits, start=1):
        nominal = BASE_S * 2 ** (n - 1)
        assert 0.5 * nominal - 1e-6 <= wait <= 1.5 * nominal + 1e-6, (n, waits)
    assert waits[3] > waits[0]
    [delivery] = log_of(client, hook["id"])
    assert delivery["status"] == "failed" and delivery["attempts"] == 5 and delivery["next_attempt_at"] is None
    assert [a["status_code"] for a in delivery["attempt_log"]] == [503] * 5
    assert deliver(runtime, now + timedelta(days=1), settings) == 0
    assert len(endpoint.requests) == 5


def test_backoff_is_capped(settings):
    capped = dataclasses.replace(settings, webhook_backoff_base_s=30.0, webhook_backoff_max_s=3600.0)

    assert backoff_delay(1, capped, uniform=lambda low, high: low) == 15.0
    assert backoff_delay(3, capped, uniform=lambda low, high: high) == 180.0
    assert backoff_delay(8, capped, uniform=lambda low, high: low) == 1920.0
    assert backoff_delay(8, capped, uniform=lambda low, high: high) == 3600.0
    assert backoff_delay(500, capped) == 3600.0


def test_an_unreachable_receiver_is_retried_with_the_error_in_the_log(runtime, world, office):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    client = office()
    hook = client.created("/webhooks", {"url": f"http://127.0.0.1:{closed_port}/hook"})
    raise_alert(runtime, world.village)

    # A fixed clock: the retry (due some milliseconds later) is not tried however long this one took.
    assert deliver(runtime, datetime.now(UTC)) == 1

    [delivery] = log_of(client, hook["id"])
    [attempt] = delivery["attempt_log"]
    assert delivery["status"] == "pending" and delivery["attempts"] == 1
    assert attempt["status_code"] is None and "refused" in attempt["error"].lower()


def test_the_delivery_log_is_paged_newest_first(runtime, world, office, receiver):
    client = office()
    hook = client.created("/webhooks", {"url": receiver().url})
    alert_ids = [raise_alert(runtime, world.village, month=month)[0]["id"] for month in ("2026-04", "2026-05",
                                                                                         "2026-06")]
    deliver(runtime)

    first = client.get(f"/webhooks/{hook['id']}/deliveries", limit=2).get_json()
    second = client.get(f"/webhooks/{hook['id']}/deliveries", limit=2, cursor=first["next_cursor"]).get_json()

    assert [d["alert_id"] for d in first["items"] + second["items"]] == alert_ids[::-1]
    assert second["next_cursor"] is None
    assert log_of(client, hook["id"], status="pending") == []
    assert client.get(f"/webhooks/{hook['id']}/deliveries", cursor="bm9wZQ==").status_code == 422
    assert client.get(f"/webhooks/{hook['id']}/deliveries", status="lost").status_code == 422


# --- the process -----------------------------------------------------------------------------------------


def test_the_webhooks_process_delivers_retries_and_stops_on_sigterm(runtime, world, office, receiver, tmp_path):
    endpoint = receiver(500)
    client = office()
    hook = client.created("/webhooks", {"url": endpoint.url})
    env = {**os.environ, "DATABASE_URL": runtime.settings.database_url, "STABLEWORK_BUS": "embedded",
           "LOG_LEVEL": "INFO", "WEBHOOK_POLL_S": "0.05", "WEBHOOK_BACKOFF_BASE_S": "0.05",
           "WEBHOOK_TIMEOUT_S": "5", "WEBHOOK_MAX_ATTEMPTS": "3"}
    log_path = tmp_path / "webhooks.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "consumers", "webhooks"], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        event, _ = raise_alert(runtime, world.village)
        wait_until(lambda: len(endpoint.requests) >= 2, timeout=30, what="the retried delivery")
        wait_until(lambda: log_of(client, hook["id"])[0]["status"] == "delivered", timeout=10, what="delivered")

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log_path.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert [json.loads(request.body) for request in endpoint.requests] == [event, event]
    assert all(signature_is_valid(hook["secret"], request) for request in endpoint.requests)
    with runtime.sessions() as session:
        assert session.scalars(select(WebhookDelivery.status)).all() == ["delivered"]
