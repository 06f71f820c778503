"""What the API has taken in."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.declarative import Base
from app.db.models.types import utcnow


class ReceivedEvent(Base):
    """An event id the API has accepted, with its content hash, to answer retries and refuse reuse."""

    __tablename__ = "received_events"
    # The retention purge finds old receipts by it; BRIN: rows come in time order, and it costs ~nothing.
    __table_args__ = (Index("ix_received_events_received_at", "received_at", postgresql_using="brin"),)

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(100))
    worker_id: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RetentionHorizon(Base):
    """How far back a store of ids (`received_events`, `processed_events`) has been purged: what was taken in
    before `horizon` may have lost its id there, so it is refused rather than taken for new
    (app/ledger/retention.py)."""

    __tablename__ = "retention_horizons"

    store: Mapped[str] = mapped_column(String(64), primary_key=True)
    horizon: Mapped[datetime] = mapped_column(DateTime(timezone=True))
