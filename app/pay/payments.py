"""Paying an approved period: a batch with one line per worker still owed, the bank's answer
per line, and a failed line owed again (paid in a later batch, never twice)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.crypto import mask
from app.db.models import ApprovedPay, PaymentBatch, PaymentLine, Worker
from app.db.models.types import utcnow
from app.messages.outbox import note_payment_result
from app.pay.periods import Actor, PeriodConflict, move_period, period_status


class NothingToPay(PeriodConflict):
    """Every approved amount of the period is paid or waiting for the bank."""


@dataclass(frozen=True)
class FailedLine:
    line_id: int
    batch_id: int
    worker_id: str
    worker_name: str
    bank_account_masked: str | None
    amount_fen: int
    reason: str | None
    resolved_at: datetime | None


@dataclass(frozen=True)
class AfterBankResults:
    failed: list[FailedLine]  # every line of the month the bank failed, oldest first
    next_pay: dict[str, int]  # per worker, what the month's next `pay` sends: failed lines carried over


@dataclass(frozen=True)
class LineResult:
    line_id: int
    status: str  # "confirmed" or "failed"
    bank_reference: str | None = None
    reason: str | None = None


def pay_period(session: Session, site_id: str, month: str, actor: Actor) -> PaymentBatch:
    """Create the payment batch of an approved period (moving it to paid), or a later batch for
    the lines the bank failed. The period's row stays locked until commit: one payer at a time."""
    status = period_status(session, site_id, month, lock=True)
    if status == "approved":
        move_period(session, site_id, month, "pay", actor)
    elif status != "paid":
        raise PeriodConflict(f"the period {site_id} {month} is {status}; it must be approved to pay")
    owed = owed_by_worker(session, site_id, month)
    if status == "paid" and not owed:
        raise NothingToPay(f"nothing is owed for {site_id} {month}: every line is paid or with the bank")
    batch = PaymentBatch(site_id=site_id, month=month, created_by=actor.token_id)
    session.add(batch)
    session.flush()
    workers = {w.id: w for w in session.scalars(select(Worker).where(Worker.id.in_(owed)))}
    for worker_id, amount in sorted(owed.items()):
        worker = workers[worker_id]
        session.add(PaymentLine(batch_id=batch.id, site_id=site_id, month=month, worker_id=worker_id,
                                worker_name=worker.name, bank_account=worker.bank_account,
                                bank_account_masked=mask(worker.bank_account),
                                amount_fen=amount))
    session.flush()
    session.refresh(batch, ["lines"])
    return batch


def owed_by_worker(session: Session, site_id: str, month: str) -> dict[str, int]:
    """Approved minus what is confirmed or still with the bank, per worker, where positive."""
    approved = dict(session.execute(select(ApprovedPay.worker_id, ApprovedPay.amount_fen).where(
        ApprovedPay.site_id == site_id, ApprovedPay.month == month)).all())
    covered = dict(session.execute(
        select(PaymentLine.worker_id, func.sum(PaymentLine.amount_fen))
        .where(PaymentLine.site_id == site_id, PaymentLine.month == month,
               PaymentLine.status.in_(("pending", "confirmed")))
        .group_by(PaymentLine.worker_id)).all())
    owed = {w: int(amount) - int(covered.get(w) or 0) for w, amount in approved.items()}
    return {w: amount for w, amount in owed.items() if amount > 0}


def after_bank_results(session: Session, site_id: str, month: str) -> AfterBankResults:
    """The month's failed payment lines, and what its next `pay` will send per worker (a failed line is owed
    again until a later batch covers it; lines still with the bank are not)."""
    failed = session.scalars(select(PaymentLine).where(
        PaymentLine.site_id == site_id, PaymentLine.month == month, PaymentLine.status == "failed")
        .order_by(PaymentLine.batch_id, PaymentLine.id))
    return AfterBankResults(
        [FailedLine(line.id, line.batch_id, line.worker_id, line.worker_name, line.bank_account_masked,
                    line.amount_fen, line.failure_reason, line.resolved_at) for line in failed],
        owed_by_worker(session, site_id, month))


def record_bank_results(session: Session, batch: PaymentBatch, results: list[LineResult]) -> list[PaymentLine]:
    """Mark lines confirmed or failed. Saying the same again changes nothing; changing a settled
    line's answer is a conflict."""
    lines = {line.id: line for line in session.scalars(select(PaymentLine).where(PaymentLine.batch_id == batch.id))}
    unknown = [r.line_id for r in results if r.line_id not in lines]
    if unknown:
        raise KeyError(unknown)
    for result in results:
        line = lines[result.line_id]
        if line.status == result.status:
            continue
        if line.status != "pending":
            raise PeriodConflict(f"line {line.id} is already {line.status}")
        line.status, line.resolved_at = result.status, utcnow()
        line.bank_reference, line.failure_reason = result.bank_reference, result.reason
        note_payment_result(session, line)
    session.flush()
    session.refresh(batch, ["lines"])
    return batch.lines
