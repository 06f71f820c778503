"""Counts kept per area and week (`area_weeks`): the workers at work, the poor ones among them and the workshops
at work (resumed), in each site's own region (a village, mostly) and in the county it lies in. The consumers
change them with the weeks at work they count (app/ledger/weeks.py), so that the county at a glance reads a row
per village and week instead of a row per worker.

A worker counts once in an area's week however many days and sites: `area_week_workers` holds a row per
worker, area and week with at how many of the area's sites, and the area's count moves only when that row is
made or goes. Likewise `site_weeks` holds how many workers a site had at work in a week, and a workshop counts
as resumed while it has any. Sites never change their kind or region once registered, so a count made when a row
is first made stays true; a household whose status changes has its workers' weeks recounted then
(app.registry.households)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date

from sqlalchemy import ARRAY, Table, bindparam, delete, func, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.db.models import AreaWeek, AreaWeekWorker, Household, Region, Site, SiteWeek, Worker
from app.db.queries import among, chunks
from app.ledger.weeks import WeekChanges

POOR = ("poor", "monitored")
COUNTS = ("workers_at_work", "poor_workers_at_work", "workshops_resumed")

_area_workers = AreaWeekWorker.__table__
_site_weeks = SiteWeek.__table__
_area_weeks = AreaWeek.__table__


# each site's areas: its own region, and the county above it, found up the parents
AREAS = """
WITH RECURSIVE above(site_id, code, level, parent_code, depth) AS (
    SELECT s.id, r.code, r.level, r.parent_code, 0 FROM sites s JOIN regions r ON r.code = s.region_code
    UNION ALL
    SELECT a.site_id, p.code, p.level, p.parent_code, a.depth + 1 FROM above a JOIN regions p ON p.code = a.parent_code
    WHERE a.level <> 'county'
), areas AS (SELECT DISTINCT site_id, code FROM above WHERE depth = 0 OR level = 'county')
"""
FILL = (
    AREAS + """INSERT INTO area_week_workers (week, region_code, worker_id, sites)
SELECT w.week, a.code, w.worker_id, count(*) FROM site_week_workers w JOIN areas a ON a.site_id = w.site_id
GROUP BY w.week, a.code, w.worker_id""",
    """INSERT INTO site_weeks (week, site_id, workers)
SELECT week, site_id, count(*) FROM site_week_workers GROUP BY week, site_id""",
    AREAS + """, at_work AS (
    SELECT a.week, a.region_code, count(*) AS workers,
           count(CASE WHEN h.status IN ('poor', 'monitored') THEN 1 END) AS poor
    FROM area_week_workers a JOIN workers w ON w.id = a.worker_id JOIN households h ON h.id = w.household_id
    GROUP BY a.week, a.region_code
), resumed AS (
    SELECT sw.week, a.code AS region_code, count(*) AS workshops
    FROM site_weeks sw JOIN sites s ON s.id = sw.site_id JOIN areas a ON a.site_id = sw.site_id
    WHERE s.kind = 'workshop' GROUP BY sw.week, a.code
)
INSERT INTO area_weeks (week, region_code, workers_at_work, poor_workers_at_work, workshops_resumed)
SELECT w.week, w.region_code, w.workers, w.poor, coalesce(r.workshops, 0)
FROM at_work w LEFT JOIN resumed r ON r.week = w.week AND r.region_code = w.region_code""",
)


def refill_counts(session: Session) -> None:
    """Compute the counts again from the weeks at work kept (site_week_workers), as the migration fills them."""
    for table in (_area_weeks, _site_weeks, _area_workers):
        session.execute(delete(table))
    for statement in FILL:
        session.execute(text(statement))


def keep_counts(session: Session, changes: WeekChanges) -> None:
    """Count the rows of the weeks at work a batch made and removed. Called last in the batch's transaction,
    as the areas' rows are shared by every consumer and stay locked until it commits."""
    if not changes.added and not changes.removed:
        return
    areas = site_areas(session, {site for _, site, _ in (*changes.added, *changes.removed)})
    on_sites: Counter = Counter()  # (week, area, worker) -> sites more
    at_site: Counter = Counter()  # (week, site) -> workers more
    for keys, sign in ((changes.added, 1), (changes.removed, -1)):
        for worker, site, week in keys:
            at_site[(week, site)] += sign
            for area in areas[site][0]:
                on_sites[(week, area, worker)] += sign
    came, went = _move(session, _area_workers, on_sites)
    poor = _poor(session, {worker for _, _, worker in (*came, *went)})
    counts: dict[tuple[date, str], Counter] = {}
    for keys, sign in ((came, 1), (went, -1)):
        for week, area, worker in keys:
            counts.setdefault((week, area), Counter()).update(
                {"workers_at_work": sign, "poor_workers_at_work": sign * (worker in poor)})
    resumed, stopped = _move(session, _site_weeks, at_site)
    for keys, sign in ((resumed, 1), (stopped, -1)):
        for week, site in keys:
            regions, kind = areas[site]
            for area in regions if kind == "workshop" else ():
                counts.setdefault((week, area), Counter()).update({"workshops_resumed": sign})
    _add_counts(session, counts)


def site_areas(session: Session, sites: set[str]) -> dict[str, tuple[tuple[str, ...], str]]:
    """site -> (its areas: its own region, then the county it lies in if that is another; its kind)."""
    found = session.execute(select(Site.id, Site.kind, Site.region_code, Region.path)
                            .join(Region, Region.code == Site.region_code)
                            .where(among(session, Site.id, sites))).all()
    above = {code for *_, path in found for code in path.strip("/").split("/")}  # a path is its codes
    counties = set(session.scalars(select(Region.code).where(among(session, Region.code, above),
                                                             Region.level == "county")))
    out = {}
    for site, kind, region, path in found:
        county = next((code for code in path.strip("/").split("/") if code in counties), None)
        out[site] = ((region,) if county in (None, region) else (region, county)), kind
    return out


def _move(session: Session, table: Table, changes: Counter) -> tuple[list[tuple], list[tuple]]:
    """Add each key's change to the table's count (its last column) in one upsert; delete the rows it brings
    to 0. Return the keys whose row it made, and those whose row went."""
    *names, count = [column.name for column in table.columns]
    rows = [dict(zip((*names, count), (*key, change))) for key, change in sorted(changes.items()) if change]
    made, gone = [], []
    for *key, now in upsert_adding(session, table, rows, names, [count]):
        if now == 0:
            gone.append(tuple(key))
        elif now == changes[tuple(key)] > 0:
            made.append(tuple(key))
    if gone:
        session.execute(delete(table).where(tuple_(*(table.c[name] for name in names)).in_(gone),
                                            table.c[count] == 0))
    return made, gone


def _poor(session: Session, workers: set[str]) -> set[str]:
    if not workers:
        return set()
    # under a share lock of the households read: a status changed meanwhile (app.registry.households) is read
    # as it is once that change commits, which then recounts the weeks it finds, this batch's among them
    return set(session.scalars(select(Worker.id).join(Household, Household.id == Worker.household_id)
                               .where(among(session, Worker.id, workers), Household.status.in_(POOR))
                               .with_for_update(read=True, of=Household)))


def _add_counts(session: Session, counts: Mapping[tuple[date, str], Counter]) -> None:
    rows = [{"week": week, "region_code": area, **{name: change[name] for name in COUNTS}}
            for (week, area), change in sorted(counts.items()) if any(change.values())]
    emptied = [(week, area) for week, area, *now in upsert_adding(session, _area_weeks, rows, ["week", "region_code"],
                                                            list(COUNTS)) if not any(now)]
    if emptied:  # an area's week nobody worked in any more has no row, as a refill would make none
        session.execute(delete(_area_weeks).where(tuple_(_area_weeks.c.week, _area_weeks.c.region_code).in_(emptied),
                                                  *(_area_weeks.c[name] == 0 for name in COUNTS)))


def upsert_adding(session: Session, table: Table, rows: list[dict], keys: list[str], counts: list[str]) -> list:
    """INSERT the rows (sorted by key: two writers lock rows alike), adding their counts to those of a row
    already there; return the rows as they are afterwards."""
    if not rows:
        return []
    columns = [*keys, *counts]
    if session.get_bind().dialect.name == "postgresql":
        # the rows as arrays: one parameter a column, where a VALUES list binds each value (app.db.rows)
        given = select(*(func.unnest(bindparam(name, [row[name] for row in rows], type_=ARRAY(table.c[name].type)))
                         .label(name) for name in columns)).subquery("given")
        statements = [postgresql.insert(table).from_select(columns, select(given))]
    else:
        statements = [sqlite.insert(table).values(chunk) for chunk in chunks(rows, 200)]
    returned = []
    for statement in statements:
        adding = statement.on_conflict_do_update(
            index_elements=[table.c[name] for name in keys],
            set_={name: table.c[name] + statement.excluded[name] for name in counts})
        returned += session.execute(adding.returning(*(table.c[name] for name in columns))).all()
    return returned
