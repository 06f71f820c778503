"""What a worker has earned, been approved and been paid, overall and per period (month).

earned   = wage lines dated in the month + adjustments paid in it (an approved month's lines
           never change: late facts arrive as adjustments in a later open month)
approved = what was approved for the month (wages plus the adjustments in it)
paid     = payment lines the bank confirmed
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import bindparam, func, literal_column, select, union_all

from app.db import Reader
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


def worker_balances(reader: Reader, worker_id: str, period: str | None = None) -> tuple[Balance, list[Balance]]:
    """The total (of one period when given) and the per-period balances, oldest first (one statement)."""
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kind, month, amount in reader.execute(_SUMS, {"worker_id": worker_id}):
        if period is None or month == period:
            sums[month][kind] += int(amount)
    periods = [Balance(month, **sums[month]) for month in sorted(sums)]
    total = Balance(period, *(sum(getattr(b, k) for b in periods) for k in ("earned_fen", "approved_fen",
                                                                             "paid_fen")))
    return total, periods


def _sum(kind: str, month, amount, *where):
    # The kind is an SQL literal, not a parameter: each branch says which sum its rows belong to.
    label = literal_column(f"'{kind}'").label("kind")
    return select(label, month.label("month"), func.sum(amount).label("amount")).where(*where).group_by(month)


_WORKER = bindparam("worker_id")
_lines, _adjustments = WageLine.__table__.c, Adjustment.__table__.c
_approved, _payments = ApprovedPay.__table__.c, PaymentLine.__table__.c
# Every sum of a worker by month, in one round trip; built once (the statement is the same for everyone).
# Table columns, not mapped attributes: a Core statement takes less CPU per request than an ORM one.
_SUMS = union_all(
    _sum("earned_fen", _lines.period, _lines.amount_fen, _lines.worker_id == _WORKER),
    _sum("earned_fen", _adjustments.in_month, _adjustments.amount_fen, _adjustments.worker_id == _WORKER),
    _sum("approved_fen", _approved.month, _approved.amount_fen, _approved.worker_id == _WORKER),
    _sum("paid_fen", _payments.month, _payments.amount_fen, _payments.worker_id == _WORKER,
         _payments.status == "confirmed"),
)
