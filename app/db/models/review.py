"""Review flags: signs of fraud in a site's month (fraud/) that a post manager sees before approving it."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.declarative import Base
from app.db.models.types import new_id, utcnow

FLAG_STATUSES = ("open", "dismissed", "confirmed")


class ReviewFlag(Base):
    """One flag per (kind, subject, site, month): raising a month's flags again never makes a second one."""

    __tablename__ = "review_flags"
    __table_args__ = (
        UniqueConstraint("kind", "subject_id", "site_id", "month"),
        Index("ix_review_flags_site_month_status", "site_id", "month", "status"),
        Index("ix_review_flags_region_path_status", "region_path", "status"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str] = mapped_column(String(16))  # worker or supervisor
    subject_id: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7))
    region_path: Mapped[str] = mapped_column(String(600))  # the site's
    reason_code: Mapped[str] = mapped_column(String(32))
    reason_params: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)  # in English; the pages word it from the code and parameters
    status: Mapped[str] = mapped_column(String(16), default="open")
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)


DISPUTE_STATUSES = ("open", "accepted", "rejected")


class Dispute(Base):
    """A worker's word that a day of theirs is recorded wrong, and the site supervisor's answer. Written by the
    consumers from the dispute events; while open it holds its site's month back from approval (a review flag of
    kind `dispute` names it)."""

    __tablename__ = "disputes"
    __table_args__ = (
        Index("ix_disputes_worker_month", "worker_id", "month"),
        Index("ix_disputes_site_month_status", "site_id", "month", "status"),
        Index("ix_disputes_region_path_status", "region_path", "status"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    worker_id: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7))  # of the day disputed
    work_date: Mapped[date] = mapped_column(Date)
    region_path: Mapped[str] = mapped_column(String(600))  # the site's
    kind: Mapped[str] = mapped_column(String(16))  # events.schemas.DISPUTE_KINDS
    claimed: Mapped[str | None] = mapped_column(String(16))  # hours ("8.5") or pieces ("140"), as the kind says
    product: Mapped[str | None] = mapped_column(String(64))  # of an output dispute
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the event's time
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)  # of a rejection
    corrections: Mapped[list[str]] = mapped_column(JSON, default=list)  # ids of the work events an acceptance made
    last_event_id: Mapped[str] = mapped_column(String(64))
    # The answer staged (set by the request that sends it, under the row's lock): a dispute is answered once.
    answer_event_id: Mapped[str | None] = mapped_column(String(64))
