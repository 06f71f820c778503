"""What the consumers derive from events: work records, wage lines, and their bookkeeping."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.declarative import Base
from app.db.models.types import BigId, utcnow
from app.db.stamps import stamp_column, stamp_index


class AttendanceRecord(Base):
    """The winning attendance record per (worker, site, date): latest `time`, ties by larger id."""

    __tablename__ = "attendance_records"
    # a site's last recorded days (the no_work rule) are read down this index
    __table_args__ = (Index("ix_attendance_records_site_date", "site_id", "work_date"),
                      stamp_index("attendance_records"))

    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    work_date: Mapped[date] = mapped_column(Date, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64))
    # Fixed-width UTC text ("2026-03-01T08:00:00.000000Z"): sorts like the instant it names.
    recorded_at: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    minutes: Mapped[int | None] = mapped_column(Integer)
    check_in: Mapped[str | None] = mapped_column(String(8))
    check_out: Mapped[str | None] = mapped_column(String(8))
    stamp: Mapped[int | None] = stamp_column()  # app/db/stamps.py


class OutputRecord(Base):
    __tablename__ = "output_records"
    __table_args__ = (Index("ix_output_records_worker_site_date", "worker_id", "site_id", "work_date"),
                      Index("ix_output_records_site_date", "site_id", "work_date"), stamp_index("output_records"))

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[str] = mapped_column(String(64))
    work_date: Mapped[date] = mapped_column(Date)
    product: Mapped[str] = mapped_column(String(64))
    grade: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[int] = mapped_column(Integer)
    voided_by: Mapped[str | None] = mapped_column(String(64))
    stamp: Mapped[int | None] = stamp_column()  # app/db/stamps.py


class PendingVoid(Base):
    """A void that arrived before its output. It waits (never paid, never a dead letter) and settles the moment
    its output is recorded: applied, the output cancelled; or refused, the output being another worker's or
    site's, which stays paid as it would had the void come after it."""

    __tablename__ = "pending_voids"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    output_id: Mapped[str] = mapped_column(String(64), index=True)
    worker_id: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, applied or refused
    reason: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WageLine(Base):
    """Pay for one assignment and day; a monthly scheme has one line per month, dated the 1st."""

    __tablename__ = "wage_lines"
    __table_args__ = (
        # with the period (which the work date decides): PostgreSQL partitions the lines by it (app/db/partitions.py)
        UniqueConstraint("assignment_id", "work_date", "period"),
        Index("ix_wage_lines_worker_period", "worker_id", "period"),
        # approval, the period report and the payroll sheet read a site's month (docs/benchmarks.md)
        Index("ix_wage_lines_site_period", "site_id", "period"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id"))
    worker_id: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(7))
    work_date: Mapped[date] = mapped_column(Date)
    scheme: Mapped[str] = mapped_column(String(16))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class WorkerMonthIncome(Base):
    """A worker's income of a month: its wage lines dated in the month plus the adjustments of the month, kept
    by the consumers in the transaction that writes them, so that income is read without the lines.
    A month without income has no row, or a row of 0 where its income came back to nothing."""

    __tablename__ = "worker_month_income"

    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    income_fen: Mapped[int] = mapped_column(BigInteger)
    stamp: Mapped[int | None] = stamp_column()  # app/db/stamps.py


class SiteWeekWorker(Base):
    """A worker at work at a site in an ISO week (a present or half-day record, or output not voided, on a day
    of it), kept by the consumers in the transaction that writes the work records, so that weekly counts read
    a row a worker and week instead of the worker's days. A week whose last day at work is corrected away
    loses its row."""

    __tablename__ = "site_week_workers"

    week: Mapped[date] = mapped_column(Date, primary_key=True)  # its Monday; first, as the glance reads weeks
    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class AreaWeekWorker(Base):
    """A worker at work in an area in an ISO week, with at how many of the area's sites: the row that makes a
    worker count once in the area's week however many days and sites (app/ledger/week_counts.py). The areas
    of a site are its own region and the county it lies in."""

    __tablename__ = "area_week_workers"

    week: Mapped[date] = mapped_column(Date, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sites: Mapped[int] = mapped_column(Integer)


class SiteWeek(Base):
    """A site at work in an ISO week, with how many workers: the row that makes a workshop count once as
    resumed in its areas' week."""

    __tablename__ = "site_weeks"

    week: Mapped[date] = mapped_column(Date, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workers: Mapped[int] = mapped_column(Integer)


class AreaWeek(Base):
    """An area's counts of an ISO week, kept with the weeks at work they count: its workers at work, the poor
    ones among them, and its workshops at work (resumed). The county at a glance reads a row per village and
    week."""

    __tablename__ = "area_weeks"

    week: Mapped[date] = mapped_column(Date, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    workers_at_work: Mapped[int] = mapped_column(Integer)
    poor_workers_at_work: Mapped[int] = mapped_column(Integer)
    workshops_resumed: Mapped[int] = mapped_column(Integer)


class ProcessedEvent(Base):
    """An event that took effect; written in the same transaction as the effect."""

    __tablename__ = "processed_events"
    # The retention purge finds old keys by it; BRIN: rows come in time order, and it costs ~nothing.
    __table_args__ = (Index("ix_processed_events_processed_at", "processed_at", postgresql_using="brin"),)

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    processed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DeadLetter(Base):
    """A message that can never be applied as it is, parked with the reason until replayed."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    topic: Mapped[str] = mapped_column(String(200))
    event_id: Mapped[str | None] = mapped_column(String(64), index=True)
    event_type: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    errors: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    key: Mapped[str | None] = mapped_column(String(200))  # readable preview of `raw_key`
    payload: Mapped[str] = mapped_column(Text)  # readable preview of `value`
    # The message as it came, whatever its bytes: a replay sends back exactly these.
    value: Mapped[bytes] = mapped_column(LargeBinary)
    raw_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    headers: Mapped[dict[str, str] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="parked")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    replayed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
