"""Household income per month: wages earned by its workers for work dated in the month, with
adjustments counted in the month they adjust (DOMAIN.md, "Balances")."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Adjustment, WageLine, Worker


def household_income(session: Session, months: list[str],
                     household_ids: list[str] | None = None) -> dict[str, dict[str, int]]:
    """household id -> month -> income in fen, for the months asked (a month without pay is absent)."""
    income: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    queries = (
        select(Worker.household_id, WageLine.period, func.sum(WageLine.amount_fen))
        .join(Worker, Worker.id == WageLine.worker_id).where(WageLine.period.in_(months))
        .group_by(Worker.household_id, WageLine.period),
        select(Worker.household_id, Adjustment.adjusts_month, func.sum(Adjustment.amount_fen))
        .join(Worker, Worker.id == Adjustment.worker_id).where(Adjustment.adjusts_month.in_(months))
        .group_by(Worker.household_id, Adjustment.adjusts_month),
    )
    for query in queries:
        if household_ids is not None:
            query = query.where(Worker.household_id.in_(household_ids))
        for household_id, month, amount in session.execute(query):
            income[household_id][month] += int(amount)
    return {household: dict(by_month) for household, by_month in income.items()}
