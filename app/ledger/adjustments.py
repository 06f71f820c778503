"""Late facts for an approved or paid month: the month stays as approved, and the difference
between its pay recomputed now and the pay approved becomes an adjustment in the site's
earliest open month after it (docs/domain.md, "Adjustments")."""
from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.db.models import Adjustment, ApprovedPay, Assignment, PayPeriod
from app.ledger.facts import compute_line
from app.ledger.terms import assignment_terms
from app.pay.income import add_income
from app.pay.periods import earliest_open_month


def recompute_adjustment(session: Session, site_id: str, worker_id: str, month: str) -> None:
    """Make the open adjustment for (site, worker, month) equal what approval has not yet covered."""
    owed = _month_pay(session, site_id, worker_id, month) - _approved_wages(session, site_id, worker_id, month)
    open_months = _open_adjustment_months(session, site_id, worker_id, month)
    of_month = (Adjustment.site_id == site_id, Adjustment.worker_id == worker_id, Adjustment.adjusts_month == month)
    settled = _sum(session, *of_month, Adjustment.in_month.not_in(open_months))
    replaced = _sum(session, *of_month, Adjustment.in_month.in_(open_months))
    session.execute(delete(Adjustment).where(*of_month, Adjustment.in_month.in_(open_months)))
    difference = owed - settled
    if difference:
        session.add(Adjustment(site_id=site_id, worker_id=worker_id, adjusts_month=month,
                               in_month=earliest_open_month(session, site_id, month), amount_fen=difference))
    add_income(session, {(worker_id, month): difference - replaced})  # counted in the month it adjusts


def _sum(session: Session, *where) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(Adjustment.amount_fen), 0)).where(*where)))


def _month_pay(session: Session, site_id: str, worker_id: str, month: str) -> int:
    """The month's pay as the facts give it now, over every assignment of the worker at the site."""
    first = date.fromisoformat(f"{month}-01")
    days = [first.replace(day=d) for d in range(1, calendar.monthrange(first.year, first.month)[1] + 1)]
    total = 0
    for assignment in assignment_terms(session, Assignment.worker_id == worker_id, Assignment.site_id == site_id):
        keys = [first] if assignment.kind == "monthly" else [d for d in days if assignment.covers(d)]
        for day in keys:
            line = compute_line(session, assignment, day)
            total += line[0] if line else 0
    return total


def _approved_wages(session: Session, site_id: str, worker_id: str, month: str) -> int:
    approved = session.get(ApprovedPay, (site_id, month, worker_id))
    return approved.wages_fen if approved else 0


def _open_adjustment_months(session: Session, site_id: str, worker_id: str, month: str) -> list[str]:
    """Months holding an adjustment of `month` that are still open, so still free to change."""
    months = set(session.scalars(select(Adjustment.in_month).where(
        Adjustment.site_id == site_id, Adjustment.worker_id == worker_id, Adjustment.adjusts_month == month)))
    not_open = set(session.scalars(select(PayPeriod.month).where(
        PayPeriod.site_id == site_id, PayPeriod.month.in_(months), PayPeriod.status != "open")))
    return sorted(months - not_open)
