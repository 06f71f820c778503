"""A small country for the bulk month close (app.pay.periods.move_periods): the same wage lines and adjustments
in several months, so the per-site path and the bulk path can be run side by side and their rows compared.

    44 Guangdong > 4401 county A > 440101 village   sites a-1 .. a-4
                 > 4402 county B > 440201 village   sites b-1, b-2

Per site: a-1 three workers with lines; a-2 a worker with lines at a-1 too, and an adjustment;
a-3 a worker with an adjustment only; a-4 nothing at all; b-1 and b-2 one worker each.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.db.models import (
    Adjustment,
    ApprovedPay,
    Assignment,
    Household,
    PayPeriod,
    PeriodTransition,
    Region,
    Site,
    WageLine,
    Worker,
)

COUNTY_A, COUNTY_B = "4401", "4402"
SITES_A, SITES_B = ("a-1", "a-2", "a-3", "a-4"), ("b-1", "b-2")
SITES = SITES_A + SITES_B
REGIONS = [("44", "Guangdong", "province", None), (COUNTY_A, "County A", "county", "44"),
           ("440101", "Village A", "village", COUNTY_A), (COUNTY_B, "County B", "county", "44"),
           ("440201", "Village B", "village", COUNTY_B)]
# worker -> the sites they work at
ASSIGNED = {"w-1": ("a-1",), "w-2": ("a-1", "a-2"), "w-3": ("a-1",), "w-4": ("a-3",), "w-5": ("b-1",),
            "w-6": ("b-2",)}
LINES = {("a-1", "w-1"): (12000, 12000, 6000), ("a-1", "w-2"): (9000,), ("a-1", "w-3"): (15000, 15001),
         ("a-2", "w-2"): (3333, 4444), ("b-1", "w-5"): (11000, 11000), ("b-2", "w-6"): (80000,)}
ADJUSTMENTS = {("a-2", "w-2"): (-1200, 300), ("a-3", "w-4"): (4500,), ("b-1", "w-5"): (700,)}


def build_country(session, months: tuple[str, ...]) -> None:
    """The registry above, and for each of `months` the same wage lines and adjustments."""
    paths: dict[str | None, str] = {None: "/"}
    for code, name, level, parent in REGIONS:
        paths[code] = f"{paths[parent]}{code}/"
        session.add(Region(code=code, name=name, level=level, parent_code=parent, path=paths[code]))
    session.flush()
    for site in SITES:
        session.add(Site(id=site, kind="workshop", name=f"Workshop {site}",
                         region_code="440101" if site in SITES_A else "440201"))
    for worker, sites in ASSIGNED.items():
        session.add(Household(id=f"h-{worker}", region_code="440101" if sites[0] in SITES_A else "440201",
                              size=3, status="poor"))
    session.flush()
    for worker in ASSIGNED:
        session.add(Worker(id=worker, household_id=f"h-{worker}", name=f"Worker {worker}"))
    session.flush()
    for worker, sites in ASSIGNED.items():
        for site in sites:
            session.add(Assignment(id=f"{worker}@{site}", worker_id=worker, site_id=site, start_date=date(2026, 1, 1),
                                   scheme={"kind": "daily", "day_rate_fen": 12000}))
    session.flush()
    for month in months:
        year, number = int(month[:4]), int(month[5:])
        for (site, worker), amounts in LINES.items():
            for day, amount in enumerate(amounts, start=1):
                session.add(WageLine(assignment_id=f"{worker}@{site}", worker_id=worker, site_id=site, period=month,
                                     work_date=date(year, number, day), scheme="daily", amount_fen=amount, facts={}))
        for (site, worker), amounts in ADJUSTMENTS.items():
            for amount in amounts:
                session.add(Adjustment(site_id=site, worker_id=worker, adjusts_month="2025-12", in_month=month,
                                       amount_fen=amount))
    session.flush()


def month_rows(session, month: str) -> dict[str, list[tuple]]:
    """The month's pay_periods, period_transitions and approved_pay rows, without ids, months and times."""
    queries = {
        "pay_periods": select(PayPeriod.site_id, PayPeriod.status).where(PayPeriod.month == month),
        "period_transitions": select(
            PeriodTransition.site_id, PeriodTransition.from_status, PeriodTransition.to_status,
            PeriodTransition.actor_token_id, PeriodTransition.actor_role, PeriodTransition.reason,
        ).where(PeriodTransition.month == month),
        "approved_pay": select(ApprovedPay.site_id, ApprovedPay.worker_id, ApprovedPay.wages_fen,
                               ApprovedPay.adjustments_fen, ApprovedPay.amount_fen).where(ApprovedPay.month == month),
    }
    return {name: sorted(tuple(row) for row in session.execute(query)) for name, query in queries.items()}


# What approval freezes, per (site, worker): the wages, the adjustments and their total.
EXPECTED_APPROVED = sorted(
    (site, worker, sum(LINES.get((site, worker), ())), sum(ADJUSTMENTS.get((site, worker), ())),
     sum(LINES.get((site, worker), ())) + sum(ADJUSTMENTS.get((site, worker), ())))
    for site, worker in set(LINES) | set(ADJUSTMENTS))
