"""A region's month as the post manager's desk shows it: its villages' sites and workers counted by the state of
the month, each site's month (a page of them) with its status, totals and the people who closed and approved it,
and the adjustments the month pays for earlier approved months. A few set-based statements, whatever the
number of sites."""
from __future__ import annotations

from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import (
    Adjustment,
    ApprovedPay,
    Assignment,
    PaymentLine,
    PayPeriod,
    PeriodTransition,
    Region,
    Site,
    WageLine,
    Worker,
)
from app.pay.period_report import AMOUNTS


@dataclass(frozen=True)
class SiteMonth:
    site_id: str
    site_name: str
    village_code: str  # the region the site is registered in
    village_name: str
    month: str
    status: str
    totals: dict[str, int]  # the period report's totals (AMOUNTS)
    closed_by: str | None  # the person (token or account id) of the latest close, while not open
    closed_at: datetime | None
    approved_by: str | None
    approved_at: datetime | None


@dataclass(frozen=True)
class VillageCounts:
    village_code: str
    village_name: str
    month: str
    sites: dict[str, int]  # its sites counted by the status of their month
    workers: dict[str, int]  # the workers assigned there during the month, by the status of their site's month


@dataclass(frozen=True)
class AdjustmentLine:
    site_id: str
    site_name: str
    village_code: str
    worker_id: str
    worker_name: str
    adjusts_month: str  # the approved (or paid) month it corrects
    in_month: str  # the month that pays it
    amount_fen: int


def _sites_in(region_path: str):
    """The ids of the sites registered anywhere under `region_path` ("/" for every site)."""
    return select(Site.id).where(Site.region_code.in_(select(Region.code).where(Region.path.startswith(region_path))))


# A site's status in the month (open without a row), in a statement whose sites are joined `_with_the_month`.
_STATUS = func.coalesce(PayPeriod.status, "open")


def _with_the_month(statement, month: str):
    return statement.outerjoin(PayPeriod, (PayPeriod.site_id == Site.id) & (PayPeriod.month == month))


def village_counts(session: Session, region_path: str, month: str) -> list[VillageCounts]:
    """Each place with sites under `region_path` (villages, mostly): its sites and their workers counted by the
    status of the site's month, in two grouped statements whatever the number of sites; in village order."""
    sites = session.execute(_with_the_month(
        select(Region.code, Region.name, _STATUS, func.count()).select_from(Site)
        .join(Region, Region.code == Site.region_code), month)
        .where(Region.path.startswith(region_path)).group_by(Region.code, Region.name, _STATUS))
    first, last = _month_days(month)
    workers = session.execute(_with_the_month(
        select(Site.region_code, _STATUS, func.count(Assignment.worker_id.distinct())).select_from(Assignment)
        .join(Site, Site.id == Assignment.site_id).join(Region, Region.code == Site.region_code), month)
        .where(Region.path.startswith(region_path), Assignment.start_date <= last,
               (Assignment.end_date.is_(None)) | (Assignment.end_date >= first))
        .group_by(Site.region_code, _STATUS))
    counted: dict[str, dict[str, int]] = defaultdict(dict)
    for village_code, site_status, count in workers:
        counted[village_code][site_status] = count
    names, by_status = {}, defaultdict(dict)
    for village_code, village_name, site_status, count in sites:
        names[village_code] = village_name
        by_status[village_code][site_status] = count
    return [VillageCounts(code, names[code], month, dict(sorted(by_status[code].items())),
                          dict(sorted(counted[code].items()))) for code in sorted(names)]


def _month_days(month: str) -> tuple[date, date]:
    year, number = int(month[:4]), int(month[5:])
    return date(year, number, 1), date(year, number, monthrange(year, number)[1])


def region_months(session: Session, region_path: str, month: str, status: str | None = None,
                  limit: int | None = None, offset: int = 0) -> list[SiteMonth]:
    """The sites under `region_path` with their `month` (those whose month has `status`, if given; `limit` of
    them from `offset`): status (open without a row), totals, who closed and approved it and when; ordered by
    village, then site."""
    chosen = _with_the_month(
        select(Site.id, Site.name, Region.code, Region.name, _STATUS).join(Region, Region.code == Site.region_code),
        month).where(Region.path.startswith(region_path))
    if status is not None:
        chosen = chosen.where(_STATUS == status)
    rows = session.execute(chosen.order_by(Region.code, Site.id).limit(limit).offset(offset)).all()
    site_ids = [row[0] for row in rows]
    totals = _totals(session, month, site_ids)
    people = _people(session, month, site_ids)
    months = []
    for site_id, site_name, village_code, village_name, site_status in rows:
        closed_by, closed_at = (people.get((site_id, "closed"), (None, None)) if site_status != "open"
                                else (None, None))
        approved_by, approved_at = people.get((site_id, "approved"), (None, None))
        months.append(SiteMonth(site_id, site_name, village_code, village_name, month, site_status,
                                totals[site_id], closed_by, closed_at, approved_by, approved_at))
    return months


def region_totals(session: Session, region_path: str, month: str) -> dict[str, int]:
    """The period report's totals of `month` summed over every site under `region_path`."""
    summed = dict.fromkeys(AMOUNTS, 0)
    for site_totals in _totals(session, month, _sites_in(region_path)).values():
        for kind in AMOUNTS:
            summed[kind] += site_totals[kind]
    return summed


def region_adjustments(session: Session, region_path: str, month: str) -> list[AdjustmentLine]:
    """The adjustments paid in `month` at the sites under `region_path`, each with the month it corrects;
    ordered by village, site, worker and corrected month."""
    rows = session.execute(
        select(Adjustment.site_id, Site.name, Site.region_code, Adjustment.worker_id, Worker.name,
               Adjustment.adjusts_month, Adjustment.in_month, Adjustment.amount_fen)
        .join(Site, Site.id == Adjustment.site_id).join(Worker, Worker.id == Adjustment.worker_id)
        .where(Adjustment.in_month == month, Adjustment.site_id.in_(_sites_in(region_path)))
        .order_by(Site.region_code, Adjustment.site_id, Adjustment.worker_id, Adjustment.adjusts_month,
                  Adjustment.id))
    return [AdjustmentLine(*row) for row in rows]


def _totals(session: Session, month: str, sites) -> dict[str, dict[str, int]]:
    """Per site, the period report's totals of `month` (every kind, zero when none)."""
    sums = {
        "wages_fen": select(WageLine.site_id, func.sum(WageLine.amount_fen))
        .where(WageLine.period == month, WageLine.site_id.in_(sites)).group_by(WageLine.site_id),
        "adjustments_fen": select(Adjustment.site_id, func.sum(Adjustment.amount_fen))
        .where(Adjustment.in_month == month, Adjustment.site_id.in_(sites)).group_by(Adjustment.site_id),
        "approved_fen": select(ApprovedPay.site_id, func.sum(ApprovedPay.amount_fen))
        .where(ApprovedPay.month == month, ApprovedPay.site_id.in_(sites)).group_by(ApprovedPay.site_id),
        "paid_fen": select(PaymentLine.site_id, func.sum(PaymentLine.amount_fen))
        .where(PaymentLine.month == month, PaymentLine.status == "confirmed", PaymentLine.site_id.in_(sites))
        .group_by(PaymentLine.site_id),
    }
    totals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(AMOUNTS, 0))
    for kind, query in sums.items():
        for site_id, amount in session.execute(query):
            totals[site_id][kind] = int(amount)
    for site_totals in totals.values():
        site_totals["earned_fen"] = site_totals["wages_fen"] + site_totals["adjustments_fen"]
    return totals


def _people(session: Session, month: str, sites) -> dict[tuple[str, str], tuple[str, datetime]]:
    """(site, "closed" or "approved") -> who made the latest such move of `month`, and when."""
    moves = session.execute(
        select(PeriodTransition.site_id, PeriodTransition.to_status, PeriodTransition.actor_token_id,
               PeriodTransition.at)
        .where(PeriodTransition.month == month, PeriodTransition.to_status.in_(("closed", "approved")),
               PeriodTransition.site_id.in_(sites)).order_by(PeriodTransition.id))
    return {(site_id, to_status): (actor, at) for site_id, to_status, actor, at in moves}
