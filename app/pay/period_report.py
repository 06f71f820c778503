"""What a site's pay period holds: per worker earned, approved and paid, with totals."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from app.db.models import Adjustment, ApprovedPay, PaymentLine, PayPeriod, WageLine
from app.pay.periods import history, period_status

AMOUNTS = ("wages_fen", "adjustments_fen", "earned_fen", "approved_fen", "paid_fen")


def period_report(session: Session, site_id: str, month: str) -> dict:
    lines: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(AMOUNTS, 0))
    for kind, query in _per_worker(site_id, month).items():
        for worker_id, amount in session.execute(query):
            lines[worker_id][kind] += int(amount)
    for line in lines.values():
        line["earned_fen"] = line["wages_fen"] + line["adjustments_fen"]
    rows = [{"worker_id": worker_id, **amounts} for worker_id, amounts in sorted(lines.items())]
    adjustments = session.scalars(select(Adjustment).where(
        Adjustment.site_id == site_id, Adjustment.in_month == month).order_by(Adjustment.worker_id, Adjustment.id))
    return {
        "site_id": site_id, "month": month, "status": period_status(session, site_id, month),
        "totals": {kind: sum(row[kind] for row in rows) for kind in AMOUNTS},
        "lines": rows,
        "adjustments": [{"worker_id": a.worker_id, "adjusts_month": a.adjusts_month, "amount_fen": a.amount_fen}
                        for a in adjustments],
        "history": history(session, site_id, month),
    }


def site_months(session: Session, site_id: str) -> list[str]:
    """Every month of the site with wages, adjustments or a period record, oldest first."""
    months = union(
        select(WageLine.period).where(WageLine.site_id == site_id),
        select(Adjustment.in_month).where(Adjustment.site_id == site_id),
        select(PayPeriod.month).where(PayPeriod.site_id == site_id),
    )
    return sorted(session.scalars(select(months.subquery().c[0])))


def _per_worker(site_id: str, month: str) -> dict:
    return {
        "wages_fen": select(WageLine.worker_id, func.sum(WageLine.amount_fen))
        .where(WageLine.site_id == site_id, WageLine.period == month).group_by(WageLine.worker_id),
        "adjustments_fen": select(Adjustment.worker_id, func.sum(Adjustment.amount_fen))
        .where(Adjustment.site_id == site_id, Adjustment.in_month == month).group_by(Adjustment.worker_id),
        "approved_fen": select(ApprovedPay.worker_id, ApprovedPay.amount_fen)
        .where(ApprovedPay.site_id == site_id, ApprovedPay.month == month),
        "paid_fen": select(PaymentLine.worker_id, func.sum(PaymentLine.amount_fen))
        .where(PaymentLine.site_id == site_id, PaymentLine.month == month, PaymentLine.status == "confirmed")
        .group_by(PaymentLine.worker_id),
    }
