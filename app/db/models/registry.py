"""Who and where: regions, households, workers, sites and assignments."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, validates

from app.db.crypto import Encrypted, keyring
from app.db.declarative import Base
from app.db.models.types import new_id, utcnow
from app.db.phones import phone_hash
from app.db.stamps import stamp_column

REGION_LEVELS = ("province", "city", "county", "township", "village")
HOUSEHOLD_STATUSES = ("poor", "monitored", "other")
SITE_KINDS = ("workshop", "post")


class Region(Base):
    __tablename__ = "regions"
    # A path prefix (the regions under one) is a range of this index whatever the database's collation.
    __table_args__ = (Index("ix_regions_path_prefix", "path", postgresql_ops={"path": "text_pattern_ops"}),)

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    # "/36/3607/360702/": a region contains another when the other's path starts with its own.
    path: Mapped[str] = mapped_column(String(600), index=True)


class Household(Base):
    __tablename__ = "households"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    stamp: Mapped[int | None] = stamp_column()  # app/db/stamps.py: the alert rules read its status and size


class HouseholdSize(Base):
    """A household's size from a month on (`from_month`, "YYYY-MM"), kept once its size first changes, beginning with
    the size it was registered with (from SINCE_REGISTRATION): each month's per-capita income divides by the size of
    that month (app.registry.households). A household never changed has no rows: its size is that of every month."""

    __tablename__ = "household_sizes"

    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), primary_key=True)
    from_month: Mapped[str] = mapped_column(String(7), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Worker(Base):
    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Personal numbers are encrypted at rest (app.db.crypto); the national id is found by its keyed hash,
    # which is unique: one national id, one worker (app.registry.workers).
    national_id: Mapped[str | None] = mapped_column("national_id_encrypted", Encrypted)
    national_id_hash: Mapped[str | None] = mapped_column(String(64), index=True, unique=True)
    phone: Mapped[str | None] = mapped_column("phone_encrypted", Encrypted)
    bank_account: Mapped[str | None] = mapped_column("bank_account_encrypted", Encrypted)
    # Keyed hashes: a worker signs in with their mobile number (app.access.worker_sign_in), found by the first;
    # not unique, as the review flags (app.review) look for one phone or account shared across households.
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    bank_account_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @validates("national_id")
    def _hash_national_id(self, _key: str, value: str | None) -> str | None:
        self.national_id_hash = None if value is None else keyring().lookup_hash(value)
        return value

    @validates("phone")
    def _hash_phone(self, _key: str, value: str | None) -> str | None:
        self.phone_hash = phone_hash(keyring(), value)
        return value

    @validates("bank_account")
    def _hash_bank_account(self, _key: str, value: str | None) -> str | None:
        self.bank_account_hash = None if value is None else keyring().lookup_hash(value)
        return value


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_worker_site", "worker_id", "site_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    scheme: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    stamp: Mapped[int | None] = stamp_column()  # app/db/stamps.py: no_work reads who is assigned when
