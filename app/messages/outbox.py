"""Word of a worker's pay, written in the transaction of the event it tells and sent later, once each.

A month approved writes one message per worker with a phone and approved pay at the site; a payment line
the bank confirms or fails writes one for its worker; so does a dispute answered. A message's id names its
event, so an event told again (a month returned and approved again, the bank's answer repeated) adds
nothing. The delivery loop (consumers/deliveries.py) sends due messages as it sends webhooks: claimed under
a lease, sent with no transaction open, each try logged, retried with the webhooks' backoff until WEBHOOK_MAX_ATTEMPTS.
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import DateTime, String, exists, insert, literal, select
from sqlalchemy.orm import Session, sessionmaker

from app.alerts.webhooks import backoff_delay
from app.db.models import ApprovedPay, Dispute, MessageAttempt, PaymentLine, Site, Worker, WorkerMessage
from app.db.models.types import utcnow
from app.db.queries import among_slices
from app.messages.senders import Sender, Sent
from app.messages.texts import pay_text
from app.settings import Settings

log = structlog.get_logger("app.messages")


def note_month_approved(session: Session, month: str, site_ids: Sequence[str]) -> None:
    """One message per worker with a phone and approved pay in `month` at these sites (set-based)."""
    message_id = (literal("approved/", String) + ApprovedPay.site_id + literal("/", String) + ApprovedPay.month
                  + literal("/", String) + ApprovedPay.worker_id)
    now = literal(utcnow(), DateTime(timezone=True))
    for where in among_slices(session, ApprovedPay.site_id, sorted(site_ids)):
        rows = (select(message_id, literal("approved"), ApprovedPay.worker_id, ApprovedPay.site_id,
                       ApprovedPay.month, ApprovedPay.amount_fen, literal("pending"), literal(0), now, now)
                .join(Worker, Worker.id == ApprovedPay.worker_id)
                .where(where, ApprovedPay.month == month, Worker.phone_hash.is_not(None),
                       ~exists().where(WorkerMessage.id == message_id)))
        session.execute(insert(WorkerMessage.__table__).from_select(
            ["id", "kind", "worker_id", "site_id", "month", "amount_fen", "status", "attempts", "next_attempt_at",
             "created_at"], rows))


def note_payment_result(session: Session, line: PaymentLine) -> None:
    """A message for a payment line the bank just confirmed or failed, when its worker has a phone."""
    kind = {"confirmed": "paid", "failed": "failed"}.get(line.status)
    message_id = f"{kind}/{line.id}"
    if kind is None or session.get(WorkerMessage, message_id) is not None:
        return
    if session.scalar(select(Worker.phone_hash).where(Worker.id == line.worker_id)) is None:
        return
    session.add(WorkerMessage(id=message_id, kind=kind, worker_id=line.worker_id, site_id=line.site_id,
                              month=line.month, amount_fen=line.amount_fen, status="pending", attempts=0,
                              next_attempt_at=utcnow()))


def note_dispute_answered(session: Session, dispute: Dispute) -> None:
    """A message telling the worker their dispute was accepted or rejected, when they have a phone."""
    message_id = f"dispute/{dispute.id}"
    if session.get(WorkerMessage, message_id) is not None:
        return
    if session.scalar(select(Worker.phone_hash).where(Worker.id == dispute.worker_id)) is None:
        return
    session.add(WorkerMessage(id=message_id, kind=f"dispute_{dispute.status}", worker_id=dispute.worker_id,
                              site_id=dispute.site_id, month=dispute.month, amount_fen=0, status="pending",
                              attempts=0, next_attempt_at=utcnow()))


@dataclass(frozen=True)
class _Claim:
    message_id: str
    attempt: int
    phone: str | None
    text: str


def deliver_due_messages(sessions: sessionmaker, settings: Settings, sender: Sender, now: datetime | None = None,
                         limit: int = 100) -> int:
    """Try each due pending message once (up to `limit`); return how many tries were made."""
    fixed = None if now is None else now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    clock = (lambda: fixed) if fixed is not None else utcnow
    tries = 0
    while tries < limit:
        claim = _claim_one(sessions, settings, clock())
        if claim is None:
            break
        started, began = clock(), time.monotonic()
        sent = sender.send(claim.phone, claim.text) if claim.phone else Sent(None, "the worker has no phone now")
        _record(sessions, settings, claim, started, sent, round((time.monotonic() - began) * 1000), clock())
        tries += 1
    return tries


def _claim_one(sessions: sessionmaker, settings: Settings, now: datetime) -> _Claim | None:
    with sessions.begin() as session:
        query = (select(WorkerMessage).where(WorkerMessage.status == "pending", WorkerMessage.next_attempt_at <= now)
                 .order_by(WorkerMessage.next_attempt_at).limit(1))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        message = session.scalar(query)
        if message is None:
            return None
        # The lease: no one else picks it up while this process is sending it.
        message.next_attempt_at = now + timedelta(seconds=2 * settings.webhook_timeout_s + 60)
        worker, site = session.get(Worker, message.worker_id), session.get(Site, message.site_id)
        text = pay_text(message.kind, site.name if site else "", message.month, message.amount_fen)
        return _Claim(message.id, message.attempts + 1, worker.phone, text)


def _record(sessions: sessionmaker, settings: Settings, claim: _Claim, started: datetime, sent: Sent,
            duration_ms: int, now: datetime) -> None:
    with sessions.begin() as session:
        session.add(MessageAttempt(message_id=claim.message_id, attempt=claim.attempt, at=started,
                                   status_code=sent.status_code, error=sent.error, duration_ms=duration_ms))
        message = session.get(WorkerMessage, claim.message_id, with_for_update=True)
        if message.status != "pending" or message.attempts != claim.attempt - 1:
            return  # the lease ran out and another process recorded this message first
        message.attempts = claim.attempt
        if sent.delivered:
            message.status, message.delivered_at = "delivered", now
        elif message.attempts >= settings.webhook_max_attempts:
            message.status = "failed"
        else:
            message.next_attempt_at = now + timedelta(seconds=backoff_delay(message.attempts, settings))
    log.info("text message attempt", message=claim.message_id, attempt=claim.attempt,
             outcome=sent.error or sent.status_code, duration_ms=duration_ms)
