"""What a worker has earned, been approved and been paid, overall and per period."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import WageLine


@dataclass(frozen=True)
class Balance:
    period: str | None
    earned_fen: int
    approved_fen: int = 0
    paid_fen: int = 0

    @property
    def outstanding_fen(self) -> int:
        return self.approved_fen - self.paid_fen

    @property
    def pending_fen(self) -> int:
        return self.earned_fen - self.approved_fen


def worker_balances(session: Session, worker_id: str, period: str | None = None) -> tuple[Balance, list[Balance]]:
    """The total (of one period when given) and the per-period balances, oldest first.

    Approval and payment arrive with the pay-period workflow; until then nothing is approved.
    """
    query = select(WageLine.period, func.sum(WageLine.amount_fen)).where(WageLine.worker_id == worker_id)
    if period is not None:
        query = query.where(WageLine.period == period)
    periods = [
        Balance(row[0], int(row[1]))
        for row in session.execute(query.group_by(WageLine.period).order_by(WageLine.period))
    ]
    total = Balance(period, sum(b.earned_fen for b in periods), sum(b.approved_fen for b in periods),
                    sum(b.paid_fen for b in periods))
    return total, periods
