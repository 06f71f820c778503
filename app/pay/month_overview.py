"""A region's month as the post manager's desk shows it: each site's month with its status, totals and the
people who closed and approved it, the villages' sums, and the adjustments the month pays for earlier
approved months. A few set-based statements, whatever the number of sites."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import (
    Adjustment,
    ApprovedPay,
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
class VillageMonth:
    village_code: str
    village_name: str
    month: str
    statuses: dict[str, int]  # its sites counted by the status of their month
    totals: dict[str, int]


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


def region_months(session: Session, region_path: str, month: str) -> list[SiteMonth]:
    """Every site under `region_path` with its `month`: status (open without a row), totals, who closed and
    approved it and when; ordered by village, then site."""
    sites = _sites_in(region_path)
    totals = _totals(session, month, sites)
    people = _people(session, month, sites)
    rows = session.execute(
        select(Site.id, Site.name, Region.code, Region.name, func.coalesce(PayPeriod.status, "open"))
        .join(Region, Region.code == Site.region_code)
        .outerjoin(PayPeriod, (PayPeriod.site_id == Site.id) & (PayPeriod.month == month))
        .where(Site.id.in_(sites)).order_by(Region.code, Site.id))
    months = []
    for site_id, site_name, village_code, village_name, status in rows:
        closed_by, closed_at = people.get((site_id, "closed"), (None, None)) if status != "open" else (None, None)
        approved_by, approved_at = people.get((site_id, "approved"), (None, None))
        months.append(SiteMonth(site_id, site_name, village_code, village_name, month, status, totals[site_id],
                                closed_by, closed_at, approved_by, approved_at))
    return months


def village_months(months: list[SiteMonth]) -> list[VillageMonth]:
    """The sites' months summed per village, in village order."""
    villages = []
    ordered = sorted(months, key=lambda row: row.village_code)
    for village_code, rows in groupby(ordered, key=lambda row: row.village_code):
        rows = list(rows)
        villages.append(VillageMonth(
            village_code, rows[0].village_name, rows[0].month, dict(sorted(Counter(r.status for r in rows).items())),
            {kind: sum(r.totals[kind] for r in rows) for kind in AMOUNTS}))
    return villages


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
