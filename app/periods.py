"""The pay-period workflow of a site's month: open -> closed -> approved -> paid, and back
from closed to open with a reason. Each move is a compare-and-set on the period's row, so of
two managers acting at the same moment exactly one succeeds."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.models import Adjustment, ApprovedPay, PayPeriod, PeriodTransition, WageLine
from app.db.models.periods import FROZEN_STATUSES

# action -> (from status, to status)
TRANSITIONS = {
    "close": ("open", "closed"),
    "return": ("closed", "open"),
    "approve": ("closed", "approved"),
    "pay": ("approved", "paid"),
}


class PeriodConflict(Exception):
    """The period is not in the state the action needs (perhaps someone else just moved it)."""


@dataclass(frozen=True)
class Actor:
    token_id: str
    role: str


def period_status(session: Session, site_id: str, month: str, lock: bool = False) -> str:
    """The period's status; a month without a row is open. `lock` holds the row until commit."""
    query = select(PayPeriod.status).where(PayPeriod.site_id == site_id, PayPeriod.month == month)
    if lock:
        query = query.with_for_update()
    return session.scalar(query) or "open"


def move_period(session: Session, site_id: str, month: str, action: str, actor: Actor,
                reason: str | None = None) -> str:
    """Apply `action` to the period and record who, when and why; return the new status."""
    before, after = TRANSITIONS[action]
    _ensure_row(session, site_id, month)
    moved = session.execute(
        update(PayPeriod).where(PayPeriod.site_id == site_id, PayPeriod.month == month,
                                PayPeriod.status == before).values(status=after)
    ).rowcount
    if not moved:
        current = period_status(session, site_id, month)
        raise PeriodConflict(f"the period {site_id} {month} is {current}; it must be {before} to {action}")
    session.add(PeriodTransition(site_id=site_id, month=month, from_status=before, to_status=after,
                                 actor_token_id=actor.token_id, actor_role=actor.role, reason=reason))
    if action == "approve":
        _record_approved_pay(session, site_id, month)
    return after


def _ensure_row(session: Session, site_id: str, month: str) -> None:
    if session.get(PayPeriod, (site_id, month)) is not None:
        return
    try:
        with session.begin_nested():
            session.add(PayPeriod(site_id=site_id, month=month, status="open"))
    except IntegrityError:
        pass  # created by a concurrent request: the compare-and-set decides between us


def _record_approved_pay(session: Session, site_id: str, month: str) -> None:
    """Freeze what is approved: per worker, the month's wages and the adjustments paid in it."""
    wages = dict(session.execute(
        select(WageLine.worker_id, func.sum(WageLine.amount_fen))
        .where(WageLine.site_id == site_id, WageLine.period == month).group_by(WageLine.worker_id)).all())
    adjustments = dict(session.execute(
        select(Adjustment.worker_id, func.sum(Adjustment.amount_fen))
        .where(Adjustment.site_id == site_id, Adjustment.in_month == month).group_by(Adjustment.worker_id)).all())
    for worker_id in sorted(set(wages) | set(adjustments)):
        wage, adjustment = int(wages.get(worker_id) or 0), int(adjustments.get(worker_id) or 0)
        session.add(ApprovedPay(site_id=site_id, month=month, worker_id=worker_id, wages_fen=wage,
                                adjustments_fen=adjustment, amount_fen=wage + adjustment))


def history(session: Session, site_id: str, month: str) -> list[PeriodTransition]:
    return list(session.scalars(select(PeriodTransition).where(
        PeriodTransition.site_id == site_id, PeriodTransition.month == month).order_by(PeriodTransition.id)))


def frozen_periods(session: Session, periods: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of (site, month) are approved or paid. On PostgreSQL the rows stay share-locked until
    commit, so an approval cannot slip in between this read and the writes that depend on it."""
    if not periods:
        return set()
    query = select(PayPeriod.site_id, PayPeriod.month, PayPeriod.status).where(
        tuple_(PayPeriod.site_id, PayPeriod.month).in_(sorted(periods)))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(read=True)
    return {(row.site_id, row.month) for row in session.execute(query) if row.status in FROZEN_STATUSES}


def earliest_open_month(session: Session, site_id: str, after: str) -> str:
    """The site's first open month after `after` (a month without a row is open)."""
    taken = set(session.scalars(select(PayPeriod.month).where(
        PayPeriod.site_id == site_id, PayPeriod.month > after, PayPeriod.status != "open")))
    month = next_month(after)
    while month in taken:
        month = next_month(month)
    return month


def next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"
