"""Review flags: signs of fraud in a site's month (fraud/) that a post manager sees before approving it."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Index, String, Text, UniqueConstraint
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
