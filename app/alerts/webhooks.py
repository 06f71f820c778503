"""Alerts pushed to webhooks: signed as Standard Webhooks, retried with backoff and jitter, each try logged.

A delivery is claimed in a short transaction (row lock skipped by other processes on PostgreSQL, then
leased by moving `next_attempt_at` forward), sent with no transaction open, and its outcome recorded in a
second one. A process that dies mid-send leaves the lease to expire: the delivery is sent again, with
the same `webhook-id`, which is what receivers deduplicate on (at least once).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import random
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import exists, insert, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from app.alerts.cloudevent import alert_cloudevent
from app.alerts.raised import RaisedAlert
from app.db.models import Alert, Webhook, WebhookAttempt, WebhookDelivery
from app.db.models.types import new_id, utcnow
from app.settings import Settings

log = structlog.get_logger("app.webhooks")

SECRET_PREFIX = "whsec_"
USER_AGENT = "Stablework-Webhooks/1"
# (url, body, headers, timeout) -> HTTP status; raises OSError or HTTPException when no answer came.
Post = Callable[[str, bytes, dict[str, str], float], int]


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value: v1, then base64 HMAC-SHA256 of "{id}.{timestamp}.{body}"."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def enqueue_deliveries(session: Session, alert: Alert) -> int:
    """In the alert's own transaction: one pending delivery per active webhook whose region holds it."""
    if alert.id is None or alert.created_at is None:
        session.flush()  # the alert's id and time are in the payload
    # A webhook's region_path is a region's path, so "contains" is "is one of the alert's ancestors".
    parts = alert.region_path.strip("/").split("/")
    ancestors = ["/" + "/".join(parts[:depth]) + "/" for depth in range(1, len(parts) + 1)]
    webhook_ids = session.scalars(select(Webhook.id).where(
        Webhook.active.is_(True),
        or_(Webhook.region_path.is_(None), Webhook.region_path.in_(ancestors)),
        ~exists().where(WebhookDelivery.webhook_id == Webhook.id, WebhookDelivery.alert_id == alert.id),
    )).all()
    if webhook_ids:
        payload, now = _payload(alert), utcnow()
        session.add_all(WebhookDelivery(webhook_id=webhook_id, alert_id=alert.id, payload=payload,
                                        next_attempt_at=now, created_at=now) for webhook_id in webhook_ids)
    return len(webhook_ids)


def enqueue_all_deliveries(session: Session, alerts: list[RaisedAlert]) -> int:
    """enqueue_deliveries for alerts just raised (so none has a delivery yet), in one INSERT for all of them."""
    webhooks = session.execute(select(Webhook.id, Webhook.region_path).where(Webhook.active.is_(True))).all()
    now = utcnow()
    # a webhook's region_path is a region's path, ending in "/": a prefix of the alert's is one of its regions
    rows = [{"id": new_id(), "webhook_id": webhook_id, "alert_id": alert.id, "payload": payload, "status": "pending",
             "attempts": 0, "next_attempt_at": now, "created_at": now}
            for alert, payload in ((alert, _payload(alert)) for alert in alerts)
            for webhook_id, path in webhooks if path is None or alert.region_path.startswith(path)]
    if rows:
        session.execute(insert(WebhookDelivery), rows)
    return len(rows)


def _payload(alert: Alert | RaisedAlert) -> str:
    return json.dumps(alert_cloudevent(alert), ensure_ascii=False, separators=(",", ":"))


def disable_webhook(session: Session, webhook: Webhook, reason: str) -> None:
    """Stop sending to `webhook`: it is inactive, and its pending deliveries will never go out."""
    webhook.active = False
    webhook.disabled_reason = reason
    session.execute(update(WebhookDelivery)
                    .where(WebhookDelivery.webhook_id == webhook.id, WebhookDelivery.status == "pending")
                    .values(status="disabled"))


def backoff_delay(attempts: int, settings: Settings,
                  uniform: Callable[[float, float], float] = random.uniform) -> float:
    """Seconds to wait after `attempts` failed tries: exponential, with jitter so retries do not bunch up."""
    exponential = settings.webhook_backoff_base_s * 2 ** min(attempts - 1, 60)
    return min(settings.webhook_backoff_max_s, exponential * uniform(0.5, 1.5))


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST with the standard library; redirects are not followed (an answer of 3xx is a failed try)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class _Claim:
    delivery_id: str
    attempt: int
    url: str
    secret: str
    payload: str


def deliver_due(sessions: sessionmaker, settings: Settings, now: datetime | None = None,
                post: Post | None = None, limit: int = 100) -> int:
    """Try each due pending delivery once (up to `limit`); return how many tries were made."""
    fixed = None if now is None else now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    clock = (lambda: fixed) if fixed is not None else utcnow
    post = post or http_post
    tries = 0
    while tries < limit:
        claim = _claim_one(sessions, settings, clock())
        if claim is None:
            break
        started, began = clock(), time.monotonic()
        status_code, error = _send(post, settings, claim, started)
        duration_ms = round((time.monotonic() - began) * 1000)
        _record(sessions, settings, claim, started, status_code, error, duration_ms, clock())
        tries += 1
    return tries


def _claim_one(sessions: sessionmaker, settings: Settings, now: datetime) -> _Claim | None:
    with sessions.begin() as session:
        query = (select(WebhookDelivery, Webhook).join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
                 .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
                 .order_by(WebhookDelivery.next_attempt_at).limit(1))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=WebhookDelivery)
        row = session.execute(query).first()
        if row is None:
            return None
        delivery, webhook = row
        # The lease: no one else picks it up while this process is sending it.
        delivery.next_attempt_at = now + timedelta(seconds=2 * settings.webhook_timeout_s + 60)
        return _Claim(delivery.id, delivery.attempts + 1, webhook.url, webhook.secret, delivery.payload)


def _send(post: Post, settings: Settings, claim: _Claim, at: datetime) -> tuple[int | None, str | None]:
    body = claim.payload.encode()
    timestamp = int(at.timestamp())
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": claim.delivery_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(claim.secret, claim.delivery_id, timestamp, body),
    }
    try:
        return post(claim.url, body, headers, settings.webhook_timeout_s), None
    except (OSError, http.client.HTTPException, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        return None, f"{type(error).__name__}: {reason}"[:1000]


def _record(sessions: sessionmaker, settings: Settings, claim: _Claim, started: datetime,
            status_code: int | None, error: str | None, duration_ms: int, now: datetime) -> None:
    with sessions.begin() as session:
        session.add(WebhookAttempt(delivery_id=claim.delivery_id, attempt=claim.attempt, at=started,
                                   status_code=status_code, error=error, duration_ms=duration_ms))
        delivery = session.get(WebhookDelivery, claim.delivery_id, with_for_update=True)
        if delivery.status != "pending" or delivery.attempts != claim.attempt - 1:
            return  # the lease ran out and another process recorded this delivery first
        delivery.attempts = claim.attempt
        if status_code is not None and 200 <= status_code < 300:
            delivery.status, delivery.delivered_at = "delivered", now
        elif status_code == 410:
            webhook = session.get(Webhook, delivery.webhook_id)
            disable_webhook(session, webhook, f"{webhook.url} answered 410 Gone at {now.isoformat()}")
            delivery.status = "disabled"
        elif delivery.attempts >= settings.webhook_max_attempts:
            delivery.status = "failed"
        else:
            delivery.next_attempt_at = now + timedelta(seconds=backoff_delay(delivery.attempts, settings))
    outcome = error or status_code
    log.info("webhook attempt", delivery=claim.delivery_id, attempt=claim.attempt, outcome=outcome,
             duration_ms=duration_ms)
