"""Where a text message goes: one small interface, a development sender and an SMS gateway.

`LogSender` (no SMS_GATEWAY_URL) sends nothing: it writes the message to the log, number masked, for a
developer to read the code there. `GatewaySender` POSTs each message as JSON to SMS_GATEWAY_URL, with
SMS_GATEWAY_TOKEN as a bearer token, and logs only the outcome, never the text: in production the log
never holds a code.
"""
from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Protocol

import structlog

from app.alerts.webhooks import Post, http_post
from app.db.crypto import mask
from app.settings import Settings

log = structlog.get_logger("app.messages")

USER_AGENT = "Stablework-Messages/1"


@dataclass(frozen=True)
class Sent:
    """The outcome of one try: the gateway's HTTP status, or why no answer came."""

    status_code: int | None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class Sender(Protocol):
    def send(self, phone: str, text: str) -> Sent: ...


class LogSender:
    """Development: the message in the log (`text message (not sent: no SMS gateway) to=138****8000 text=...`)."""

    def send(self, phone: str, text: str) -> Sent:
        log.warning("text message (not sent: no SMS gateway)", to=mask_phone(phone), text=text)
        return Sent(200)


class GatewaySender:
    """An SMS gateway over HTTP: `{"to": "13800138000", "text": "..."}`; any 2xx answer is delivered."""

    def __init__(self, url: str, token: str, timeout_s: float, post: Post | None = None):
        self.url, self.token, self.timeout_s, self.post = url, token, timeout_s, post or http_post

    def send(self, phone: str, text: str) -> Sent:
        body = json.dumps({"to": phone, "text": text}, ensure_ascii=False).encode()
        headers = {"content-type": "application/json", "user-agent": USER_AGENT}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        try:
            return Sent(self.post(self.url, body, headers, self.timeout_s))
        except (OSError, http.client.HTTPException, ValueError) as error:
            reason = getattr(error, "reason", None) or error
            return Sent(None, f"{type(error).__name__}: {reason}"[:1000])


def sender_for(settings: Settings) -> Sender:
    if settings.sms_gateway_url:
        return GatewaySender(settings.sms_gateway_url, settings.sms_gateway_token, settings.webhook_timeout_s)
    return LogSender()


def mask_phone(phone: str) -> str:
    """`13800138000` -> `138****8000`: enough to tell which phone, not enough to call it."""
    return phone[:3] + "*" * max(len(phone) - 7, 0) + phone[-4:] if len(phone) > 7 else mask(phone) or ""
