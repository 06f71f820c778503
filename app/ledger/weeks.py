"""The weeks at work (`site_week_workers`): which workers were at work at which site in each ISO week, kept
with the work records a batch writes so that weekly counts (the county at a glance) never read the days.

A day at work adds its week's row, which may be there already; a record that stops being a day at work
(an attendance corrected to absent, a voided output) has its week read again from the stored records, and
the row goes when no day of the week is left."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import NamedTuple

from sqlalchemy import ARRAY, Date, bindparam, cast, delete, func, insert, select, tuple_, union
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.db.models import AttendanceRecord, OutputRecord, SiteWeekWorker
from app.db.queries import among, chunks, key_slices

WORKED = ("present", "half_day")
WeekKey = tuple[str, str, date]  # (worker id, site id, the week's Monday)

_weeks = SiteWeekWorker.__table__


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


class WeekChanges(NamedTuple):
    """The rows of the weeks at work a batch made and removed, for the counts kept of them (week_counts)."""
    added: list[WeekKey]
    removed: list[WeekKey]


def keep_weeks(session: Session, changed: Iterable[tuple[str, str, date, bool, bool]]) -> WeekChanges:
    """Bring up to date the weeks of the records a batch changed (already written in `session`), each given as
    (worker id, site id, date, a day at work now, stored before the batch); return the rows made and removed."""
    worked: set[WeekKey] = set()
    lost: set[WeekKey] = set()
    for worker, site, day, at_work, stored in changed:
        if at_work:
            worked.add((worker, site, monday(day)))
        elif stored:  # a record new in this batch was never a day at work in the stored weeks
            lost.add((worker, site, monday(day)))
    added = _add(session, sorted(worked))  # in key order: two writers lock rows alike
    return WeekChanges(added, _remove_idle(session, lost - worked))


def _add(session: Session, keys: list[WeekKey]) -> list[WeekKey]:
    """Insert the rows not there yet; return those it inserted."""
    if not keys:
        return []
    columns = (_weeks.c.worker_id, _weeks.c.site_id, _weeks.c.week)
    if session.get_bind().dialect.name == "postgresql":
        given = select(*(func.unnest(bindparam(name, values, type_=ARRAY(_weeks.c[name].type))).label(name)
                         for name, values in (("worker_id", [k[0] for k in keys]), ("site_id", [k[1] for k in keys]),
                                              ("week", [k[2] for k in keys])))).subquery("given")
        return [tuple(row) for row in session.execute(
            postgresql.insert(_weeks).from_select(["worker_id", "site_id", "week"], select(given))
            .on_conflict_do_nothing().returning(*columns))]
    made = []
    for chunk in chunks(keys):
        made += [tuple(row) for row in session.execute(
            sqlite.insert(_weeks).values([{"worker_id": w, "site_id": s, "week": m} for w, s, m in chunk])
            .on_conflict_do_nothing().returning(*columns))]
    return made


def _remove_idle(session: Session, keys: set[WeekKey]) -> list[WeekKey]:
    """Delete the rows of the weeks among `keys` that hold no day at work any more; return those deleted."""
    if not keys:
        return []
    idle = sorted(keys - _weeks_at_work(session, keys))
    if not idle:
        return []
    columns = (_weeks.c.worker_id, _weeks.c.site_id, _weeks.c.week)
    # a key may have had no row (a record that was never a day at work): only those deleted are returned
    return [tuple(row) for row in session.execute(
        delete(_weeks).where(tuple_(*columns).in_(idle)).returning(*columns))]


def _weeks_at_work(session: Session, keys: set[WeekKey]) -> set[WeekKey]:
    """Those of `keys` with a day at work in the stored records: worker among (...) AND date among (...), a
    superset, of which the keys asked are kept."""
    days = {first + timedelta(days=n) for _, _, first in keys for n in range(7)}
    found = set()
    for chunk in key_slices(session, sorted({k[0] for k in keys})):
        parts = [select(table.worker_id, table.site_id, table.work_date).where(
            worked, among(session, table.worker_id, chunk), among(session, table.work_date, days))
            for table, worked in ((AttendanceRecord, AttendanceRecord.status.in_(WORKED)),
                                  (OutputRecord, OutputRecord.voided_by.is_(None)))]
        found.update((w, s, monday(d)) for w, s, d in session.execute(union(*parts)))
    return found & keys


def refill_weeks(session: Session) -> None:
    """Compute the whole table again from the stored work records."""
    session.execute(delete(_weeks))
    session.execute(insert(_weeks).from_select(["worker_id", "site_id", "week"], weeks_at_work(session)))


def weeks_at_work(session: Session):
    """A select of (worker_id, site_id, week) from every stored day at work, each once."""
    parts = []
    for table, worked in ((AttendanceRecord, AttendanceRecord.status.in_(WORKED)),
                          (OutputRecord, OutputRecord.voided_by.is_(None))):
        week = _monday_of(session, table.work_date).label("week")
        parts.append(select(table.worker_id, table.site_id, week).where(worked))
    return union(*parts)


def _monday_of(session: Session, day):
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("week", day), Date)
    return func.date(day, "weekday 0", "-6 days")  # the Sunday on or after, less six days

