"""Alert webhooks: registered by an office, POSTed to a real HTTP receiver, signed, retried, logged.

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
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from support.processes import ROOT, wait_until

from app.alerts.cloudevent import alert_cloudevent
from app.alerts.webhooks import backoff_delay, deliver_due, enqueue_deliveries, new_secret, sign
from app.db.models import Alert, Region, WebhookDelivery

BASE_S = 0.01


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, webhook_backoff_base_s=BASE_S, webhook_backoff_max_s=60.0,
                               webhook_max_attempts=8, webhook_timeout_s=5.0, webhook_poll_s=0.05)


# --- a receiver on 127.0.0.1 ---------------------------------------------------------------------------


@dataclass
class Received:
    headers: dict[str, str]  # names in lower case
    body: bytes


@dataclass
class Receiver:
    """An HTTP endpoint that records every POST and answers the scripted statuses, then 200."""

    answers: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hooks/alerts"

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        self.requests.append(Received(headers, body))
        return self.answers.pop(0) if self.answers else 200


@pytest.fixture
def receiver():
    """`receiver()` starts one; all are stopped at the end of the test."""
    started: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def start(*answers: int) -> Receiver:
        endpoint = Receiver(list(answers))
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with lock:
                    status = endpoint.answer({name.lower(): value for name, value in self.headers.items()}, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args):
                pass

        endpoint.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=endpoint.server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        started.append((endpoint.server, thread))
        return endpoint

    yield start
    for server, thread in started:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def signature_is_valid(secret: str, request: Received) -> bool:
    """Standard Webhooks, checked here from first principles: HMAC-SHA256 over "{id}.{timestamp}.{body}"."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{request.headers['webhook-id']}.{request.headers['webhook-timestamp']}.".encode() + request.body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, candidate) for candidate in request.headers["webhook-signature"].split())


# --- helpers ---------------------------------------------------------------------------------------------


def raise_alert(runtime, region_code: str, subject: str = "h-li", month: str = "2026-04") -> tuple[dict, int]:
    """Insert an alert as the evaluator does, queueing its deliveries in the same transaction."""
    with runtime.sessions.begin() as session:
        region = session.get(Region, region_code)
        alert = Alert(kind="income_drop", subject_type="household", subject_id=subject, household_id=subject,
                      month=month, region_code=region.code, region_path=region.path,
                      detail={"month_fen": 120000, "average_fen": 300000, "drop_ratio": "0.3"})
        session.add(alert)
        queued = enqueue_deliveries(session, alert)
        return alert_cloudevent(alert), queued


def deliver(runtime, now: datetime | None = None, settings=None) -> int:
    return deliver_due(runtime.sessions, settings or runtime.settings, now=now)


def log_of(client, webhook_id: str, **params) -> list[dict]:
    response = client.get(f"/webhooks/{webhook_id}/deliveries", **params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def office(api, token, world):
    """A client with a poverty office token of `region` (the first county by default)."""
    return lambda region=world.county: api.as_token(token("poverty_office", region))


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


# --- regions and roles -----------------------------------------------------------------------------------


def test_a_county_webhook_receives_only_the_alerts_of_its_county(runtime, world, office, receiver):
    ours, theirs, city = receiver(), receiver(), receiver()
    office(world.county).created("/webhooks", {"url": ours.url})
    office(world.other_county).created("/webhooks", {"url": theirs.url})
    office(world.city).created("/webhooks", {"url": city.url})

    here, queued_here = raise_alert(runtime, world.village, subject="h-li")
    there, queued_there = raise_alert(runtime, world.other_village, subject="h-chen")
    assert deliver(runtime) == 4

    assert (queued_here, queued_there) == (2, 2)
    assert [json.loads(r.body)["id"] for r in ours.requests] == [here["id"]]
    assert [json.loads(r.body)["id"] for r in theirs.requests] == [there["id"]]
    assert sorted(json.loads(r.body)["id"] for r in city.requests) == sorted([here["id"], there["id"]])


def test_a_poverty_office_cannot_read_another_countys_webhook_or_its_deliveries(world, office, receiver):
    hook = office(world.county).created("/webhooks", {"url": receiver().url})
    other = office(world.other_county)

    assert other.get(f"/webhooks/{hook['id']}/deliveries").status_code == 403
    assert other.get(f"/webhooks/{hook['id']}").status_code == 403
    assert other.get("/webhooks").get_json()["items"] == []
    assert office(world.city).get(f"/webhooks/{hook['id']}/deliveries").status_code == 200
    assert [h["id"] for h in office(world.city).get("/webhooks").get_json()["items"]] == [hook["id"]]
    assert other.get("/webhooks/no-such-hook/deliveries").status_code == 404


def test_the_secret_is_shown_only_when_the_webhook_is_registered(runtime, world, office, receiver):
    client = office()
    hook = client.created("/webhooks", {"url": receiver().url})
    raise_alert(runtime, world.village)
    deliver(runtime)

    assert hook["secret"].startswith("whsec_")
    assert set(hook) == {"id", "url", "region_code", "active", "disabled_reason", "created_at", "secret"}
    for path in ("/webhooks", f"/webhooks/{hook['id']}", f"/webhooks/{hook['id']}/deliveries"):
        response = client.get(path)
        assert response.status_code == 200
        assert hook["secret"] not in response.get_data(as_text=True)
        assert "secret" not in response.get_data(as_text=True)
    listed = client.get("/webhooks").get_json()["items"]
    assert listed == [{key: value for key, value in hook.items() if key != "secret"}]


def test_a_webhook_is_registered_by_an_office_for_a_region_inside_its_own(api, world, office, token):
    client = office()
    url = "https://office.example.org/alerts"

    default = client.created("/webhooks", {"url": url})
    village = client.created("/webhooks", {"url": url, "region_code": world.village})

    assert default["region_code"] == world.county and default["active"] is True and default["url"] == url
    assert village["region_code"] == world.village
    assert client.post("/webhooks", {"url": url, "region_code": world.other_county}).status_code == 403
    unknown = client.post("/webhooks", {"url": url, "region_code": "999999"})
    assert unknown.status_code == 422 and "region_code" in unknown.get_json()["errors"]
    for bad in ("ftp://office.example.org/alerts", "not a url", "https://" + "a" * 2000 + ".org/", ""):
        response = client.post("/webhooks", {"url": bad})
        assert response.status_code == 422 and "url" in response.get_json()["errors"], bad
    assert client.post("/webhooks", {}).status_code == 422
    assert api.as_token(token("supervisor", world.county)).post("/webhooks", {"url": url}).status_code == 403
    assert api.as_token(token("post_manager", world.county)).post("/webhooks", {"url": url}).status_code == 403
    assert api.as_token(None).post("/webhooks", {"url": url}).status_code == 401
    assert api.created("/webhooks", {"url": url})["region_code"] is None  # a nationwide admin: nationwide


def test_a_nationwide_webhook_receives_every_alert(api, runtime, world, receiver):
    endpoint = receiver()
    api.created("/webhooks", {"url": endpoint.url})

    raise_alert(runtime, world.village, subject="h-li")
    raise_alert(runtime, world.other_village, subject="h-chen")

    assert deliver(runtime) == 2
    assert len(endpoint.requests) == 2


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


def test_the_webhook_routes_are_in_the_openapi_document(app):
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]

    assert {"/api/v1/webhooks", "/api/v1/webhooks/{webhook_id}", "/api/v1/webhooks/{webhook_id}/deliveries"} <= set(
        paths)


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
