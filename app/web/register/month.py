"""A worker's month at a glance: each recorded day at the sites the reader keeps, and what it earned."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.api.access import Principal
from app.db.models import AttendanceRecord, OutputRecord, Site, WageLine
from app.pay.balances import Balance, worker_balances

CREDITS = {"present": Decimal(1), "half_day": Decimal("0.5")}  # as monthly schemes count days


@dataclass
class Day:
    day: date
    site: str
    status: str | None = None
    minutes: int | None = None
    pieces: int = 0
    amount_fen: int = 0


@dataclass
class WorkerMonth:
    month: str
    days: list[Day] = field(default_factory=list)
    balance: Balance | None = None

    @property
    def day_credits(self) -> Decimal:
        return sum((CREDITS.get(day.status or "", Decimal(0)) for day in self.days), Decimal(0))

    @property
    def hours(self) -> Decimal:
        return Decimal(sum(day.minutes or 0 for day in self.days)) / 60

    @property
    def pieces(self) -> int:
        return sum(day.pieces for day in self.days)

    @property
    def wages_fen(self) -> int:
        return sum(day.amount_fen for day in self.days)


def worker_month(session: Session, principal: Principal, worker_id: str, month: str) -> WorkerMonth:
    """The month's days at the reader's sites (a supervisor's own; an admin's all), with the worker's
    balance of the month as GET /api/v1/workers/<id>/balance?period= answers it."""
    start = date.fromisoformat(f"{month}-01")
    end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    names = dict(session.execute(select(Site.id, Site.name)).all())

    def within(model):
        where = [model.worker_id == worker_id, model.work_date >= start, model.work_date < end]
        if principal.role == "supervisor":
            where.append(model.site_id.in_(principal.site_ids))
        return where

    days: dict[tuple[date, str], Day] = {}

    def at(day: date, site_id: str) -> Day:
        return days.setdefault((day, site_id), Day(day, names.get(site_id, site_id)))

    for mark in session.scalars(select(AttendanceRecord).where(*within(AttendanceRecord))):
        found = at(mark.work_date, mark.site_id)
        found.status, found.minutes = mark.status, _minutes(mark)
    pieces = select(OutputRecord.work_date, OutputRecord.site_id, func.sum(OutputRecord.quantity)).where(
        *within(OutputRecord), OutputRecord.voided_by.is_(None)).group_by(OutputRecord.work_date, OutputRecord.site_id)
    for day, site_id, quantity in session.execute(pieces):
        at(day, site_id).pieces = int(quantity)
    amounts: dict[tuple[date, str], int] = defaultdict(int)
    for line in session.execute(select(WageLine.work_date, WageLine.site_id, WageLine.amount_fen).where(
            *within(WageLine))):
        amounts[(line.work_date, line.site_id)] += line.amount_fen
    for (day, site_id), amount in amounts.items():
        at(day, site_id).amount_fen = amount
    total, _periods = worker_balances(session, worker_id, month)
    return WorkerMonth(month, sorted(days.values(), key=lambda d: (d.day, d.site)), total)


def _minutes(mark: AttendanceRecord) -> int | None:
    if mark.minutes is not None:
        return mark.minutes
    if mark.check_in and mark.check_out:
        (h1, m1), (h2, m2) = (map(int, t.split(":")[:2]) for t in (mark.check_in, mark.check_out))
        return (h2 * 60 + m2) - (h1 * 60 + m1)
    return None
