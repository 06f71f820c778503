"""The income kept per worker and month, and the same summed from the wage lines and adjustments stored."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from app.db.models import Adjustment, WageLine, WorkerMonthIncome
from support.pipeline import nonzero

Income = dict[tuple[str, str], int]  # (worker, month) -> fen


def stored_income(runtime) -> Income:
    """The income kept, without the rows of months whose income came back to 0 (which reads skip)."""
    with runtime.sessions.begin() as session:
        return nonzero({(row.worker_id, row.month): row.income_fen
                        for row in session.scalars(select(WorkerMonthIncome))})


def income_from_lines(runtime) -> Income:
    """Each worker's income per month summed from every wage line and adjustment stored."""
    income: Income = defaultdict(int)
    with runtime.sessions.begin() as session:
        for worker, month, fen in session.execute(select(WageLine.worker_id, WageLine.period, WageLine.amount_fen)):
            income[(worker, month)] += fen
        for worker, month, fen in session.execute(
                select(Adjustment.worker_id, Adjustment.adjusts_month, Adjustment.amount_fen)):
            income[(worker, month)] += fen
    return nonzero(income)
