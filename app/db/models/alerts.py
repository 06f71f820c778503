"""Income-stability alerts, their handling, and their delivery to webhooks."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.declarative import Base
from app.db.models.types import BigId, new_id, utcnow

ALERT_KINDS = ("income_drop", "below_line", "no_work", "wage_arrears", "projected_below_line")
ALERT_STATUSES = ("open", "acknowledged", "resolved")


class Alert(Base):
    """One alert per (subject, kind, month): re-running an evaluation never makes a second one."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("subject_type", "subject_id", "kind", "month"),
        Index("ix_alerts_region_path_status", "region_path", "status"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str] = mapped_column(String(16))  # household, worker or site
    subject_id: Mapped[str] = mapped_column(String(64))
    household_id: Mapped[str | None] = mapped_column(String(64), index=True)
    month: Mapped[str] = mapped_column(String(7))
    region_code: Mapped[str] = mapped_column(String(32))
    region_path: Mapped[str] = mapped_column(String(600))
    status: Mapped[str] = mapped_column(String(16), default="open")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    help_given: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class AlertEvaluation(Base):
    """A month the alert rules were run for, and when: the scheduler runs each month once, chunk by chunk,
    and records the last chunk done, so that an evaluator stopped part-way resumes after it."""

    __tablename__ = "alert_evaluations"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    as_of: Mapped[str] = mapped_column(String(10))
    trigger: Mapped[str] = mapped_column(String(16))  # "request" or "schedule"
    raised: Mapped[int] = mapped_column(Integer)  # by the chunks done so far
    ran_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(16))  # "running", or "done" once every chunk is
    done_subjects: Mapped[str | None] = mapped_column(String(16))  # of the last chunk done: "household" or "site"
    done_through: Mapped[str | None] = mapped_column(String(64))  # its last key; None: through the end
    # the watermark taken before its first chunk (app/db/stamps.py): what it read was written before it, or after
    stamp: Mapped[int | None] = mapped_column(BigInteger)


class AlertBaseline(Base):
    """What the last complete evaluation of a month by schedule stands on (app/alerts/baseline.py): the rules
    found and raised all there was in the rows stamped below `stamp`, as of `as_of` with `thresholds`."""

    __tablename__ = "alert_baselines"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    as_of: Mapped[str] = mapped_column(String(10))
    thresholds: Mapped[str] = mapped_column(Text)
    stamp: Mapped[int] = mapped_column(BigInteger)


class ChangeClock(Base):
    """SQLite's change stamp (app/db/stamps.py): one row, moved on by each evaluation before it reads."""

    __tablename__ = "change_clock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stamp: Mapped[int] = mapped_column(BigInteger)


class Webhook(Base):
    """A poverty office's push subscription for the alerts inside its region."""

    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))  # "whsec_" + base64, as Standard Webhooks
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    region_path: Mapped[str | None] = mapped_column(String(600))
    created_by: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebhookDelivery(Base):
    """One alert to one webhook, retried with backoff until delivered or given up."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "alert_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)  # the webhook-id header
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id"))
    alert_id: Mapped[str] = mapped_column(ForeignKey("alerts.id"))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, delivered, failed, disabled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookAttempt(Base):
    """Each try of a delivery: the delivery log."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer)
