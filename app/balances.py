"""What a worker has earned, been approved and been paid, overall and per period (month).

earned   = wage lines dated in the month + adjustments paid in it (an approved month's lines
           never change: late facts arrive as adjustments in a later open month)
approved = what was approved for the month (wages plus the adjustments in it)
paid     = payment lines the bank confirmed
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Adjustment, ApprovedPay, PaymentLine, WageLine


@dataclass(frozen=True)
class Balance:
    period: str | None
    earned_fen: int = 0
    approved_fen: int = 0
    paid_fen: int = 0

    @property
    def outstanding_fen(self) -> int:
        return self.approved_fen - self.paid_fen

    @property
    def pending_fen(self) -> int:
        return self.earned_fen - self.approved_fen


def worker_balances(session: Session, worker_id: str, period: str | None = None) -> tuple[Balance, list[Balance]]:
    """The total (of one period when given) and the per-period balances, oldest first."""
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kind, query in _sums(worker_id).items():
        for month, amount in session.execute(query):
            if period is None or month == period:
                sums[month][kind] += int(amount)
    periods = [Balance(month, **sums[month]) for month in sorted(sums)]
    total = Balance(period, *(sum(getattr(b, k) for b in periods) for k in ("earned_fen", "approved_fen",
                                                                             "paid_fen")))
    return total, periods


def _sums(worker_id: str) -> dict:
    return {
        "earned_fen": select(WageLine.period, func.sum(WageLine.amount_fen))
        .where(WageLine.worker_id == worker_id).group_by(WageLine.period)
        .union_all(select(Adjustment.in_month, func.sum(Adjustment.amount_fen))
                   .where(Adjustment.worker_id == worker_id).group_by(Adjustment.in_month)),
        "approved_fen": select(ApprovedPay.month, func.sum(ApprovedPay.amount_fen))
        .where(ApprovedPay.worker_id == worker_id).group_by(ApprovedPay.month),
        "paid_fen": select(PaymentLine.month, func.sum(PaymentLine.amount_fen))
        .where(PaymentLine.worker_id == worker_id, PaymentLine.status == "confirmed").group_by(PaymentLine.month),
    }
