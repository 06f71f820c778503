"""A household's changes as the registry takes them: status and region as they are now, and its size from a month
on, kept as a history so that each month's per-capita income, and the alert rules, divide by the size of that month.

A size change stamps the household (app/db/stamps.py) even when its size now stays the same (a change from an
earlier month, under a later one): the alert evaluation looks again only at the households stamped since its last."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from app.db.audit import SUMMARISED
from app.db.models import AreaWeek, AreaWeekWorker, Household, HouseholdSize, Worker
from app.db.stamps import change_stamp
from app.jobs.match_rows import keep_households
from app.ledger.labour_counts import move_household

POOR = ("poor", "monitored")  # the statuses counted among the poor (as app.ledger.week_counts counts them)
SINCE_REGISTRATION = "0000-01"  # the month the size a household was registered with holds from: before any month


def change_household(session: Session, household: Household, changes: dict[str, Any], this_month: str) -> None:
    """Apply `changes` (status, region_code, size; size_from: the month the size holds from, this month unless
    given) to `household` in one flush: the audit log records the row's values before and after, and the size
    history's rows."""
    changes = dict(changes)
    size, size_from = changes.pop("size", None), changes.pop("size_from", None) or this_month
    was_status, was_region = household.status, household.region_code
    was_poor = was_status in POOR
    with session.no_autoflush:
        if size is not None:
            _change_size(session, household, size, size_from)
        for name, value in changes.items():
            setattr(household, name, value)
    session.flush()
    if (household.status in POOR) != was_poor:
        _recount_poor(session, household.id, 1 if household.status in POOR else -1)
    if household.region_code != was_region:
        # the weeks at work are counted by the sites' regions, which a household's move leaves as they are
        move_household(session, household.id, was_region, household.region_code)
    if size is not None or household.status != was_status or household.region_code != was_region:
        keep_households(session, [household.id])
    if size is not None:
        # the row is recorded in the audit log by the flush; this statement only moves its stamp
        session.execute(update(Household).where(Household.id == household.id).values(stamp=change_stamp())
                        .execution_options(**SUMMARISED))


def _change_size(session: Session, household: Household, size: int, from_month: str) -> None:
    history = {entry.from_month: entry for entry in session.scalars(
        select(HouseholdSize).where(HouseholdSize.household_id == household.id))}
    if not history:
        history[SINCE_REGISTRATION] = HouseholdSize(household_id=household.id, from_month=SINCE_REGISTRATION,
                                                    size=household.size)
        session.add(history[SINCE_REGISTRATION])
    if from_month in history:
        history[from_month].size = size
    else:
        history[from_month] = HouseholdSize(household_id=household.id, from_month=from_month, size=size)
        session.add(history[from_month])
    household.size = history[max(history)].size  # its size now: that of its latest month


def _recount_poor(session: Session, household_id: str, sign: int) -> None:
    """Move the poor workers counted in the weeks its workers were at work (area_weeks) by `sign` each, as a
    count from scratch by the status now would. The consumers read a worker's status under a share lock of its
    household (app.ledger.week_counts), which this transaction's update of the household holds them to: a week
    counted meanwhile is counted by the status as it is after."""
    weeks, counted = AreaWeek.__table__, AreaWeekWorker.__table__
    members = (select(func.count()).select_from(counted.join(Worker.__table__, Worker.id == counted.c.worker_id))
               .where(counted.c.week == weeks.c.week, counted.c.region_code == weeks.c.region_code,
                      Worker.household_id == household_id).scalar_subquery())
    # derived counts, which the household's own change in the audit log accounts for
    session.execute(update(weeks).where(members > 0).values(
        poor_workers_at_work=weeks.c.poor_workers_at_work + sign * members).execution_options(**SUMMARISED))


def size_in_month(month: str | ColumnElement[str], household_id: ColumnElement[str] = Household.id,
                  size: ColumnElement[int] = Household.size) -> ColumnElement[int]:
    """The size of a household in `month`, in SQL: the latest of its history from that month or before, else
    its size (a household never changed)."""
    kept = (select(HouseholdSize.size).where(HouseholdSize.household_id == household_id,
                                             HouseholdSize.from_month <= month)
            .order_by(HouseholdSize.from_month.desc()).limit(1).scalar_subquery())
    return func.coalesce(kept, size)


def sizes_in_months(session: Session, household: Household, months: Iterable[str]) -> dict[str, int]:
    """The household's size in each of `months`."""
    history = session.execute(select(HouseholdSize.from_month, HouseholdSize.size)
                              .where(HouseholdSize.household_id == household.id)
                              .order_by(HouseholdSize.from_month)).all()
    sizes = {}
    for month in months:
        held = [size for from_month, size in history if from_month <= month]
        sizes[month] = held[-1] if held else household.size
    return sizes
