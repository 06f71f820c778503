"""Jobs for idle labour: labourers' profiles and employment status, the migrant baseline, employers, vacancies
and referrals. Codes are the vocabularies of labour/vocabulary.py."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.declarative import Base
from app.db.models.types import new_id, utcnow


class LabourProfile(Base):
    """What a worker can do and how far they can go: one row a worker, replaced whole by a put."""

    __tablename__ = "labour_profiles"

    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"), primary_key=True)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)  # codes of SKILLS
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)  # free words for what the codes miss
    education: Mapped[str | None] = mapped_column(String(24))
    birth_year: Mapped[int | None] = mapped_column(Integer)  # bars heavy work past matching.HEAVY_WORK_LAST_AGE
    max_physical_demand: Mapped[str] = mapped_column(String(8), default="heavy")  # health: the heaviest work
    health_note: Mapped[str | None] = mapped_column(Text)
    travel_range: Mapped[str] = mapped_column(String(16), default="county")
    caregiving: Mapped[list[str]] = mapped_column(JSON, default=list)  # codes of CAREGIVING_TIES
    willing_to_go_out: Mapped[bool] = mapped_column(Boolean, default=False)
    preferred_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)  # codes of WORK_KINDS
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class LabourStatusChange(Base):
    """One `labour.status_changed` (or a hire's change) as applied: the history of a worker's employment.
    The status on a day is the latest change effective by then (effective_date, then recorded_at, then event
    id); a change with `until` holds only through that day (a hire for a temporary post), idle after it."""

    __tablename__ = "labour_status_changes"
    __table_args__ = (Index("ix_labour_status_changes_worker_date", "worker_id", "effective_date"),)

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    status: Mapped[str] = mapped_column(String(16))
    effective_date: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    region_code: Mapped[str | None] = mapped_column(String(32))  # where they work, when known to the tree
    place: Mapped[str | None] = mapped_column(String(200))  # where, in words ("东莞市长安镇")
    note: Mapped[str | None] = mapped_column(Text)
    assignment_id: Mapped[str | None] = mapped_column(String(64))  # set when a hire made the change
    recorded_at: Mapped[str] = mapped_column(String(32))  # the event's time, fixed-width UTC text


class LabourStatus(Base):
    """A worker's latest status change: the current view the consumers keep beside the history."""

    __tablename__ = "labour_statuses"
    __table_args__ = (Index("ix_labour_statuses_status", "status"),)

    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    effective_date: Mapped[date] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    region_code: Mapped[str | None] = mapped_column(String(32))
    place: Mapped[str | None] = mapped_column(String(200))
    assignment_id: Mapped[str | None] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[str] = mapped_column(String(32))


class LabourStatusWeek(Base):
    """How a week moved an area's count of labourers by status (app/ledger/labour_counts.py): the sum of its days'
    moves. An area is a labourer's household region, and the county it lies in; `willing` is their profile's
    willingness to go out. A count as of a Sunday is the sum of the weeks up to it."""

    __tablename__ = "labour_status_weeks"

    region_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    week: Mapped[date] = mapped_column(Date, primary_key=True)  # its Monday
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    willing: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    change: Mapped[int] = mapped_column(Integer)


class LabourStatusDay(Base):
    """How a day moved an area's count of labourers by status: read for the days of a week not yet over."""

    __tablename__ = "labour_status_days"

    region_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    willing: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    change: Mapped[int] = mapped_column(Integer)


class LabourBaseline(Base):
    """The migrant workforce of a region at the end of a year: the denominator of the return-to-work rate."""

    __tablename__ = "labour_baselines"

    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)  # counted on 31 December of it
    migrant_workers: Mapped[int] = mapped_column(Integer)
    poor_migrant_workers: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16), default="api")  # "api" or "import"
    recorded_by: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Employer(Base):
    """An employer beyond the workshops and posts, anywhere (other provinces too). Its hires are paid through a
    site of its own (kind "employer"), made with it, so that attendance and wages work as for any site."""

    __tablename__ = "employers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(24))  # EMPLOYER_KINDS
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)  # where it is
    # the region whose office keeps it: who may see and post for it (app/api/access.py)
    office_region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), unique=True)
    contact: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Vacancy(Base):
    """Work on offer, from `vacancy.posted`; filled by hires or `vacancy.filled`, ended by `vacancy.closed`.
    Hires always go to `site_id`: the site's own, or its employer's site."""

    __tablename__ = "vacancies"
    __table_args__ = (Index("ix_vacancies_status_region", "status", "region_code"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    employer_id: Mapped[str | None] = mapped_column(ForeignKey("employers.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))  # where the work is
    office_region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(24))  # WORK_KINDS
    count: Mapped[int] = mapped_column(Integer)  # places on offer
    hired: Mapped[int] = mapped_column(Integer, default=0)  # hires made so far
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)  # codes of SKILLS
    physical_demand: Mapped[str] = mapped_column(String(8))  # PHYSICAL_DEMANDS
    scheme: Mapped[dict[str, Any]] = mapped_column(JSON)  # the wage scheme its assignments get
    full_time: Mapped[bool] = mapped_column(Boolean, default=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)  # a temporary post ends
    housing: Mapped[bool] = mapped_column(Boolean, default=False)
    poor_first: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default="open")  # VACANCY_STATUSES
    posted_event_id: Mapped[str] = mapped_column(String(64))
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the event's time
    posted_by: Mapped[str | None] = mapped_column(String(200))
    filled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    close_reason: Mapped[str | None] = mapped_column(Text)


class Referral(Base):
    """A cadre's referral of a labourer to a vacancy, and what became of it (REFERRAL_STATUSES). A labourer is
    referred to a vacancy once; the hire's assignment is named here, so a redelivered hire makes no second."""

    __tablename__ = "referrals"
    __table_args__ = (UniqueConstraint("vacancy_id", "worker_id"),
                      Index("ix_referrals_worker_status", "worker_id", "status"),
                      Index("ix_referrals_referred_at", "referred_at"), Index("ix_referrals_hired_at", "hired_at"))

    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    vacancy_id: Mapped[str] = mapped_column(ForeignKey("vacancies.id"), index=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    status: Mapped[str] = mapped_column(String(16), default="referred")
    note: Mapped[str | None] = mapped_column(Text)
    referred_by: Mapped[str | None] = mapped_column(String(200))
    referred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the event's time
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    hired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    start_date: Mapped[date | None] = mapped_column(Date)
    assignment_id: Mapped[str | None] = mapped_column(ForeignKey("assignments.id"), unique=True)
    ended_reason: Mapped[str | None] = mapped_column(Text)
    last_event_id: Mapped[str] = mapped_column(String(64))


# The region tree's levels from the top: a kept matching row names its region's ancestor at each of them.
TREE_LEVELS = ("province", "city", "county", "township", "village")


def _ring_indexes(table: str, order: tuple) -> tuple[Index, ...]:
    """One index a level of the region tree, so that a ring's rows come out in `order` under a LIMIT."""
    return tuple(Index(f"ix_{table}_{level}", level, *order) for level in TREE_LEVELS)


class MatchLabourer(Base):
    """A labourer as the matching SQL filters them (app/jobs/match_rows.py): one narrow row a worker with a
    labour profile, kept in the transaction that changes their profile, status, household or its alerts."""

    __tablename__ = "match_labourers"
    __table_args__ = _ring_indexes("match_labourers", ("priority", "worker_id"))  # read backwards

    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"), primary_key=True)
    household_id: Mapped[str] = mapped_column(String(64), index=True)
    path: Mapped[str] = mapped_column(String(600))  # the household's region
    province: Mapped[str | None] = mapped_column(String(32))
    city: Mapped[str | None] = mapped_column(String(32))
    county: Mapped[str | None] = mapped_column(String(32))
    township: Mapped[str | None] = mapped_column(String(32))
    village: Mapped[str | None] = mapped_column(String(32))
    reach: Mapped[int] = mapped_column(Integer)  # the fewest levels a vacancy must share with `path`
    heaviest: Mapped[int] = mapped_column(Integer)  # the heaviest demand allowed, as its place in DEMANDS
    busy_from: Mapped[date | None] = mapped_column(Date)  # at work full time from this day (None: not)
    busy_until: Mapped[date | None] = mapped_column(Date)  # and through this day (None: open-ended)
    priority: Mapped[int] = mapped_column(Integer)  # the household's priority points: poor, monitored, open alert
    # what the rules score with, but the household's income (of the twelve months before the day matched for)
    skills: Mapped[list[str]] = mapped_column(JSON)
    travel_range: Mapped[str] = mapped_column(String(16))
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    open_alert: Mapped[bool] = mapped_column(Boolean)
    birth_year: Mapped[int | None] = mapped_column(Integer)  # heavy work only to HEAVY_WORK_LAST_AGE, year by year


class MatchVacancy(Base):
    """An open vacancy with places left as the matching SQL filters it: one narrow row, kept with the vacancy."""

    __tablename__ = "match_vacancies"
    __table_args__ = _ring_indexes("match_vacancies", ("vacancy_id",))

    vacancy_id: Mapped[str] = mapped_column(ForeignKey("vacancies.id"), primary_key=True)
    province: Mapped[str | None] = mapped_column(String(32))
    city: Mapped[str | None] = mapped_column(String(32))
    county: Mapped[str | None] = mapped_column(String(32))
    township: Mapped[str | None] = mapped_column(String(32))
    village: Mapped[str | None] = mapped_column(String(32))
    demand: Mapped[int] = mapped_column(Integer)  # its place in DEMANDS
    end_date: Mapped[date | None] = mapped_column(Date)
