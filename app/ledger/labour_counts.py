"""Counts of labourers by status kept per area, week and day (`labour_status_weeks`, `labour_status_days`), moved
in the transaction that keeps a status change or a profile's willingness to go out, so that a province's
return-to-work figures read a row per county, week and status instead of every labourer's history.

A labourer's history moves a count by +1 on the first day of a run of one status and by -1 on the status before
it (labour.status.count_moves); a count as of a day is the sum of the moves up to it. When a history or the
willingness changes, the labourer's old moves are taken back and the new ones added. An area is the labourer's
household region and the county it lies in, as for the weeks at work (app/ledger/week_counts.py)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import groupby

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.orm import Session

from app.db.models import (
    Household,
    LabourProfile,
    LabourStatusChange,
    LabourStatusDay,
    LabourStatusWeek,
    Region,
    Worker,
)
from app.db.queries import chunks
from app.ledger.week_counts import upsert_adding
from app.ledger.weeks import monday
from labour.status import Change, count_moves

_weeks = LabourStatusWeek.__table__
_days = LabourStatusDay.__table__
Moves = Counter  # (day, status, willing) -> change


def history(session: Session, worker_id: str) -> list[Change]:
    change = LabourStatusChange
    return [Change(*row) for row in session.execute(
        select(change.status, change.effective_date, change.recorded_at, change.event_id, change.until)
        .where(change.worker_id == worker_id))]


def willing(session: Session, worker_id: str) -> bool:
    return bool(session.scalar(select(LabourProfile.willing_to_go_out).where(LabourProfile.worker_id == worker_id)))


def keep_labourer_counts(session: Session, worker_id: str, before: Iterable[Change], after: Iterable[Change],
                         willing_before: bool, willing_after: bool) -> None:
    """Take back the moves of the labourer's history `before` and add those of `after`."""
    moves = _moves(after, willing_after)
    moves.subtract(_moves(before, willing_before))
    moves = Counter({key: n for key, n in moves.items() if n})
    if moves:
        _add(session, {area: moves for area in labourer_areas(session, worker_id)})


def keep_willingness(session: Session, worker_id: str, was: bool, now: bool) -> None:
    """Move the labourer's counts to their profile's new willingness to go out."""
    if was != now:
        changes = history(session, worker_id)
        keep_labourer_counts(session, worker_id, changes, changes, was, now)


def labourer_areas(session: Session, worker_id: str) -> tuple[str, ...]:
    """The labourer's household region, then the county it lies in if that is another."""
    # under a share lock of the household: a region changed meanwhile (app.registry.households) is read as it is
    # once that change commits, which then moves the history it finds, this change among it
    region = session.scalar(select(Household.region_code).join(Worker, Worker.household_id == Household.id)
                            .where(Worker.id == worker_id).with_for_update(read=True, of=Household))
    return region_areas(session, region)


def region_areas(session: Session, region_code: str) -> tuple[str, ...]:
    """The region, then the county it lies in if that is another."""
    path = session.scalar(select(Region.path).where(Region.code == region_code))
    codes = path.strip("/").split("/")  # a path is its codes
    county = session.scalar(select(Region.code).where(Region.code.in_(codes), Region.level == "county"))
    return (codes[-1],) if county in (None, codes[-1]) else (codes[-1], county)


def move_household(session: Session, household_id: str, was: str, now: str) -> None:
    """Move the moves of the household's labourers from the areas of its region `was` to those of `now`; an area
    of both (their county) keeps them. Called after the household's row is updated, whose lock holds off the
    consumers' changes to its labourers' counts until this transaction commits."""
    change = LabourStatusChange
    rows = session.execute(select(change.worker_id, LabourProfile.willing_to_go_out, change.status,
                                  change.effective_date, change.recorded_at, change.event_id, change.until)
                           .join(Worker, Worker.id == change.worker_id)
                           .outerjoin(LabourProfile, LabourProfile.worker_id == change.worker_id)
                           .where(Worker.household_id == household_id).order_by(change.worker_id))
    moves: Moves = Counter()
    for (_, keen), group in groupby(rows, key=lambda row: row[:2]):
        moves.update(_moves([Change(*row[2:]) for row in group], bool(keen)))
    by_area: dict[str, Moves] = {}
    for areas, sign in ((region_areas(session, was), -1), (region_areas(session, now), 1)):
        for area in areas:
            by_area.setdefault(area, Counter()).update({key: sign * n for key, n in moves.items()})
    by_area = {area: Counter({key: n for key, n in moved.items() if n}) for area, moved in by_area.items()}
    _add(session, {area: moved for area, moved in by_area.items() if moved})


def refill_labour_counts(session: Session) -> None:
    """Count every labourer's history again, as the migration fills the tables."""
    session.execute(delete(_weeks))
    session.execute(delete(_days))
    regions = dict(session.execute(select(Region.code, Region.path)).all())
    counties = set(session.scalars(select(Region.code).where(Region.level == "county")))
    change = LabourStatusChange
    rows = session.execute(select(change.worker_id, Household.region_code, LabourProfile.willing_to_go_out,
                                  change.status, change.effective_date, change.recorded_at, change.event_id,
                                  change.until)
                           .join(Worker, Worker.id == change.worker_id)
                           .join(Household, Household.id == Worker.household_id)
                           .outerjoin(LabourProfile, LabourProfile.worker_id == change.worker_id)
                           .order_by(change.worker_id).execution_options(yield_per=10_000))
    by_area: dict[str, Moves] = {}
    for (_, region, keen), group in groupby(rows, key=lambda row: row[:3]):
        moves = _moves([Change(*row[3:]) for row in group], bool(keen))
        codes = regions[region].strip("/").split("/")
        county = next((code for code in codes if code in counties), None)
        for area in (region,) if county in (None, region) else (region, county):
            by_area.setdefault(area, Counter()).update(moves)
    for table, rows in zip((_days, _weeks), _rows(by_area)):
        for chunk in chunks([row for row in rows if row["change"]], 5000):
            session.execute(insert(table), chunk)


def _moves(changes: Iterable[Change], keen: bool) -> Moves:
    return Counter({(first, state, keen): n for (first, state), n in count_moves(changes).items()})


def _rows(by_area: dict[str, Moves]) -> tuple[list[dict], list[dict]]:
    """The rows of the days and of the weeks, for the moves of each area."""
    days, weeks = [], Counter()
    for area, moves in sorted(by_area.items()):
        for (first, state, keen), n in sorted(moves.items()):
            days.append({"region_code": area, "day": first, "status": state, "willing": keen, "change": n})
            weeks[(area, monday(first), state, keen)] += n
    return days, [{"region_code": area, "week": week, "status": state, "willing": keen, "change": n}
                  for (area, week, state, keen), n in sorted(weeks.items())]


def _add(session: Session, by_area: dict[str, Moves]) -> None:
    for table, rows in zip((_days, _weeks), _rows(by_area)):
        keys = [column.name for column in table.primary_key.columns]
        emptied = [tuple(row[:4]) for row in upsert_adding(session, table, rows, keys, ["change"]) if row[4] == 0]
        if emptied:  # a count nothing moves has no row, as a refill would make none
            session.execute(delete(table).where(tuple_(*(table.c[name] for name in keys)).in_(emptied),
                                                table.c.change == 0))
