"""Pay periods per site and month, what was approved, adjustments, and payments."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.crypto import Encrypted
from app.db.declarative import Base
from app.db.models.types import BigId, utcnow
from app.db.stamps import stamp_column, stamp_index

PERIOD_STATUSES = ("open", "closed", "approved", "paid")
FROZEN_STATUSES = ("approved", "paid")  # an approved or paid period never changes


class PayPeriod(Base):
    """A site's month. No row means the month is open."""

    __tablename__ = "pay_periods"

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class PeriodTransition(Base):
    """Who moved a period from one status to another, when and why."""

    __tablename__ = "period_transitions"
    __table_args__ = (Index("ix_period_transitions_site_month", "site_id", "month"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_token_id: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    stamp: Mapped[int | None] = stamp_column()  # app/db/stamps.py: wage_arrears reads approvals


class ApprovedPay(Base):
    """What was approved for a worker in a site's month: that month's wages plus the adjustments in it."""

    __tablename__ = "approved_pay"
    __table_args__ = (stamp_index("approved_pay"),)

    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    wages_fen: Mapped[int] = mapped_column(BigInteger)
    adjustments_fen: Mapped[int] = mapped_column(BigInteger)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    stamp: Mapped[int | None] = stamp_column()  # app/db/stamps.py


class Adjustment(Base):
    """The difference a late event made to an approved or paid month, paid in a later open month."""

    __tablename__ = "adjustments"
    __table_args__ = (
        Index("ix_adjustments_site_month", "site_id", "in_month"),
        Index("ix_adjustments_worker_adjusts", "worker_id", "site_id", "adjusts_month"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(String(64))
    worker_id: Mapped[str] = mapped_column(String(64))
    adjusts_month: Mapped[str] = mapped_column(String(7))
    in_month: Mapped[str] = mapped_column(String(7))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class PaymentBatch(Base):
    __tablename__ = "payment_batches"
    __table_args__ = (Index("ix_payment_batches_site_month", "site_id", "month"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    lines: Mapped[list["PaymentLine"]] = relationship(order_by="PaymentLine.id", viewonly=True)


PAYMENT_LINE_STATUSES = ("pending", "confirmed", "failed")


class PaymentLine(Base):
    """One worker's pay in a batch: pending until the bank confirms it or reports it failed."""

    __tablename__ = "payment_lines"
    __table_args__ = (
        Index("ix_payment_lines_period_worker", "site_id", "month", "worker_id"),
        Index("ix_payment_lines_worker_month", "worker_id", "month"),  # a worker's balance (migration 0006)
        stamp_index("payment_lines"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payment_batches.id"), index=True)
    site_id: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7))
    worker_id: Mapped[str] = mapped_column(String(64))
    worker_name: Mapped[str] = mapped_column(String(200))
    # The account the line is sent to, kept as it was when the batch was made: the bank file reads it from here.
    bank_account: Mapped[str | None] = mapped_column("bank_account_encrypted", Encrypted)
    bank_account_masked: Mapped[str | None] = mapped_column(String(64))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    bank_reference: Mapped[str | None] = mapped_column(String(200))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stamp: Mapped[int | None] = stamp_column()  # app/db/stamps.py: wage_arrears reads what was paid


class IdempotencyRecord(Base):
    """A write done under an Idempotency-Key, reserved in the write's own transaction."""

    __tablename__ = "idempotency_records"

    token_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(100))
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
