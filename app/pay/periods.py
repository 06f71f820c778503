"""The pay-period workflow of a site's month: open -> closed -> approved -> paid, and back
from closed to open with a reason. Each move is a compare-and-set on the period's row, so of
two managers acting at the same moment exactly one succeeds.

`move_periods` closes or approves a month for every site of a scope at once: the same moves as
`move_period` site by site, in a few set-based statements and with one audit entry."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    DateTime,
    Text,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    select,
    text,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db.audit import SUMMARISED, record_summary
from app.db.models import Adjustment, ApprovedPay, PayPeriod, PeriodTransition, Region, ReviewFlag, Site, WageLine
from app.db.models.periods import FROZEN_STATUSES
from app.db.models.types import utcnow
from app.db.queries import among, among_slices, chunks
from app.messages.outbox import note_month_approved
from app.review.disputes import any_open_dispute, open_disputes
from app.review.queue import open_flags, record_override
from app.review.raising import raise_flags

# action -> (from status, to status)
TRANSITIONS = {
    "close": ("open", "closed"),
    "return": ("closed", "open"),
    "approve": ("closed", "approved"),
    "pay": ("approved", "paid"),
}


class PeriodConflict(Exception):
    """The period is not in the state the action needs (perhaps someone else just moved it)."""


class CloserMayNotApprove(PeriodConflict):
    """Maker-checker: the person of the month's latest close may not approve it."""


class FlaggedMonth(PeriodConflict):
    """The month has open review flags or disputes: it is approved only with an override saying why."""


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
                reason: str | None = None, *, maker_checker: bool = True, override: str | None = None) -> str:
    """Apply `action` to the period and record who, when and why; return the new status. With
    `maker_checker`, the actor of the month's latest close may not approve it: CloserMayNotApprove. A close
    raises the month's review flags; an approval with flags open needs `override` (why): FlaggedMonth."""
    before, after = TRANSITIONS[action]
    _ensure_row(session, site_id, month)
    checks = [_not_closed_by(actor)] if maker_checker and action == "approve" else []
    moved = session.execute(
        update(PayPeriod).where(PayPeriod.site_id == site_id, PayPeriod.month == month,
                                PayPeriod.status == before, *checks).values(status=after)
    ).rowcount
    if not moved:
        current = period_status(session, site_id, month)
        if checks and current == before:
            raise CloserMayNotApprove("the person who closed this month may not approve it")
        raise PeriodConflict(f"the period {site_id} {month} is {current}; it must be {before} to {action}")
    if action == "approve":  # after the compare-and-set: a refusal rolls it back, and names the right cause
        _check_flags(session, site_id, month, override)
    session.add(PeriodTransition(site_id=site_id, month=month, from_status=before, to_status=after,
                                 actor_token_id=actor.token_id, actor_role=actor.role, reason=reason))
    if action == "approve":
        _record_approved_pay(session, site_id, month)
        note_month_approved(session, month, [site_id])
    if action == "close":
        raise_flags(session, month, [site_id])
    return after


def _check_flags(session: Session, site_id: str, month: str, override: str | None) -> None:
    """Refuse to approve over open flags or disputes without an override; record an override in the audit log."""
    flags, disputes = open_flags(session, site_id, month), open_disputes(session, site_id, month)
    if (flags or disputes) and not (override or "").strip():
        raise FlaggedMonth(f"the period {site_id} {month} has {len(flags)} open review flag(s) and {len(disputes)} "
                           "open dispute(s): resolve them, or approve with an override saying why")
    record_override(session, site_id, month, flags, override, disputes)


def _latest_closer():
    """The person of the latest close of the `PayPeriod` row the statement is about (correlated)."""
    return (select(PeriodTransition.actor_token_id)
            .where(PeriodTransition.site_id == PayPeriod.site_id, PeriodTransition.month == PayPeriod.month,
                   PeriodTransition.to_status == "closed")
            .order_by(PeriodTransition.id.desc()).limit(1).scalar_subquery())


def _not_closed_by(actor: Actor):
    # A closed month always has its close recorded; one without (written by hand) has no closer to refuse.
    return func.coalesce(_latest_closer(), "") != actor.token_id


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
    totals = _approved_totals(month, WageLine.site_id == site_id, Adjustment.site_id == site_id)
    for _site, _month, worker_id, wages, adjustments, amount in session.execute(totals.order_by("worker_id")):
        session.add(ApprovedPay(site_id=site_id, month=month, worker_id=worker_id, wages_fen=int(wages),
                                adjustments_fen=int(adjustments), amount_fen=int(amount)))


def _approved_totals(month: str, wage_site, adjustment_site):
    """Per (site, worker) of the sites chosen by the two conditions: site, month, worker, the month's wages,
    the adjustments paid in it, and their total (a worker with adjustments only counts too)."""
    zero = literal(0, BigInteger)
    amounts = union_all(
        select(WageLine.site_id, WageLine.worker_id, WageLine.amount_fen.label("wages"), zero.label("extra"))
        .where(WageLine.period == month, wage_site),
        select(Adjustment.site_id, Adjustment.worker_id, zero, Adjustment.amount_fen)
        .where(Adjustment.in_month == month, adjustment_site)).subquery()
    wages, extra = func.sum(amounts.c.wages), func.sum(amounts.c.extra)
    return select(amounts.c.site_id, literal(month), amounts.c.worker_id.label("worker_id"), wages, extra,
                  wages + extra).group_by(amounts.c.site_id, amounts.c.worker_id)


# --- one month, many sites ---------------------------------------------------------------------------

BULK_ACTIONS = ("close", "approve")  # a return needs a reason per site; payment goes by batches, per site


@dataclass(frozen=True)
class SiteScope:
    """The sites a bulk move acts on: every site under `region_path` (nationwide when None), only those of
    `site_ids` when given."""
    region_path: str | None = None
    site_ids: frozenset[str] | None = None


@dataclass(frozen=True)
class BulkMove:
    month: str
    action: str
    moved: list[str]  # ids of the sites moved
    not_moved: dict[str, int]  # the sites of the scope left as they were, counted by status (or CLOSED_BY_YOU)


CLOSED_BY_YOU = "closed_by_you"  # closed months a bulk approval left because its actor closed them
FLAGGED = "flagged"  # closed months a bulk approval left because they have open review flags or disputes
REVIEW_CHUNK = 200  # sites whose months' records a bulk close's review holds in memory at once


def move_periods(session: Session, month: str, action: str, actor: Actor, scope: SiteScope,
                 reason: str | None = None, *, maker_checker: bool = True) -> BulkMove:
    """`move_period` for every site of `scope` whose month is in the action's from-status, in a few
    set-based statements; the other sites stay as they are. The same compare-and-set UPDATE as for one
    site decides between concurrent moves (bulk or not), so no site moves twice. One audit entry.
    With `maker_checker`, an approval leaves the months the actor closed, counted as CLOSED_BY_YOU; it always
    leaves the months with open review flags or disputes (FLAGGED), which are approved one by one with an
    override. A close raises the review flags of the months it closed."""
    if action not in BULK_ACTIONS:
        raise ValueError(f"{action!r} is not a bulk action ({', '.join(BULK_ACTIONS)})")
    before, after = TRANSITIONS[action]
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres and action == "approve":
        # One aggregate over every wage line of the month: let it hash in memory rather than spill.
        session.execute(text("SET LOCAL work_mem = '256MB'"))
    scopes = _scope_filters(session, scope)
    checks = [_not_closed_by(actor)] if maker_checker and action == "approve" else []
    flagged = exists().where(ReviewFlag.site_id == PayPeriod.site_id, ReviewFlag.month == PayPeriod.month,
                             ReviewFlag.status == "open") | any_open_dispute()
    if before == "open":  # a month without a row is open: give it one, so the UPDATE finds it
        _ensure_rows(session, month, scopes, postgres)
    moved = sorted(site for where in scopes for site in session.scalars(
        update(PayPeriod).where(PayPeriod.month == month, PayPeriod.status == before, *checks,
                                *([~flagged] if action == "approve" else []),
                                PayPeriod.site_id.in_(select(Site.id).where(where)))
        .values(status=after).returning(PayPeriod.site_id)
        .execution_options(synchronize_session=False, **SUMMARISED)))
    _record_transitions(session, month, moved, before, after, actor, reason)
    if action == "approve":
        _record_approved_pays(session, month, moved)
        note_month_approved(session, month, moved)
    if action == "close":
        for sites in chunks(moved, REVIEW_CHUNK):
            raise_flags(session, month, sites)
    counts = Counter()
    status = func.coalesce(PayPeriod.status, "open")
    if checks:  # what the UPDATE left closed for want of a second person, said as such
        status = case((and_(PayPeriod.status == before, ~and_(*checks)), CLOSED_BY_YOU), else_=status)
    if action == "approve":  # and for its open flags, first
        status = case((and_(PayPeriod.status == before, flagged), FLAGGED), else_=status)
    for where in scopes:
        counts.update(dict(session.execute(
            select(status, func.count()).select_from(Site)
            .outerjoin(PayPeriod, and_(PayPeriod.site_id == Site.id, PayPeriod.month == month))
            .where(where).group_by(status)).all()))
    counts[after] -= len(moved)
    if moved:
        record_summary(session, "update", "pay_periods", f"{month} {action}", scope.region_path,
                       {"status": before}, {"status": after, "sites": moved, "reason": reason})
    return BulkMove(month, action, moved, {name: n for name, n in sorted(counts.items()) if n > 0})


def _scope_filters(session: Session, scope: SiteScope) -> list:
    """The scope as conditions on `Site`: one, or one per slice of a long list of ids on SQLite."""
    inside = true()
    if scope.region_path is not None:
        inside = Site.region_code.in_(select(Region.code).where(Region.path.startswith(scope.region_path)))
    if scope.site_ids is None:
        return [inside]
    return [and_(inside, where) for where in among_slices(session, Site.id, sorted(scope.site_ids))]


def _ensure_rows(session: Session, month: str, scopes: list, postgres: bool) -> None:
    dialect_insert = postgresql.insert if postgres else sqlite.insert
    now = literal(utcnow(), DateTime(timezone=True))
    for where in scopes:
        missing = select(Site.id, literal(month), literal("open"), now).where(where, ~exists().where(
            PayPeriod.site_id == Site.id, PayPeriod.month == month)).order_by(Site.id)
        session.execute(dialect_insert(PayPeriod.__table__).from_select(
            ["site_id", "month", "status", "updated_at"], missing).on_conflict_do_nothing())


def _record_transitions(session: Session, month: str, moved: list[str], before: str, after: str, actor: Actor,
                        reason: str | None) -> None:
    columns = ["site_id", "month", "from_status", "to_status", "actor_token_id", "actor_role", "reason", "at"]
    values = [literal(before), literal(after), literal(actor.token_id), literal(actor.role), literal(reason, Text),
              literal(utcnow(), DateTime(timezone=True))]
    for where in among_slices(session, PayPeriod.site_id, moved):
        rows = select(PayPeriod.site_id, PayPeriod.month, *values).where(PayPeriod.month == month, where)
        session.execute(insert(PeriodTransition.__table__).from_select(columns, rows.order_by(PayPeriod.site_id)))


def _record_approved_pays(session: Session, month: str, moved: list[str]) -> None:
    """`_record_approved_pay` for every moved site, set-based."""
    for wage_site, adjustment_site in zip(among_slices(session, WageLine.site_id, moved),
                                          among_slices(session, Adjustment.site_id, moved), strict=True):
        session.execute(insert(ApprovedPay.__table__).from_select(
            ["site_id", "month", "worker_id", "wages_fen", "adjustments_fen", "amount_fen"],
            _approved_totals(month, wage_site, adjustment_site)))


def history(session: Session, site_id: str, month: str) -> list[PeriodTransition]:
    return list(session.scalars(select(PeriodTransition).where(
        PeriodTransition.site_id == site_id, PeriodTransition.month == month).order_by(PeriodTransition.id)))


def frozen_periods(session: Session, periods: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of (site, month) are approved or paid. On PostgreSQL the rows stay share-locked until
    commit, so an approval cannot slip in between this read and the writes that depend on it."""
    if not periods:
        return set()
    # site among (...) AND month among (...): a superset (a few more rows share-locked for the batch's
    # moment), far cheaper to render and bind than a row-value IN list; the exact keys are kept
    query = select(PayPeriod.site_id, PayPeriod.month, PayPeriod.status).where(
        among(session, PayPeriod.site_id, {site for site, _ in periods}),
        among(session, PayPeriod.month, {month for _, month in periods}))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(read=True)
    return {(row.site_id, row.month) for row in session.execute(query)
            if (row.site_id, row.month) in periods and row.status in FROZEN_STATUSES}


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
