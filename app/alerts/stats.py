"""Employment statistics, read-only and set-based: on a date in a region and in each region just below it
(sites, sites at work, workers at work and those from poor households: the API's /stats/employment), and
week by week in a county and in each of its villages (the poverty office's county at a glance).

A worker is at work on a day with a present or half-day record, or output not voided, there. Poor workers
are those of `poor` and `monitored` households: the province counts 脱贫人口（含监测对象） together."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select, union
from sqlalchemy.orm import Session

from app.db.models import (
    AreaWeek,
    Assignment,
    AttendanceRecord,
    Household,
    OutputRecord,
    Region,
    Site,
    Worker,
)
from app.ledger.week_counts import COUNTS, POOR

WORKED = ("present", "half_day")
MAX_WEEKS = 53  # a year of weeks at most: what a page shows, and what keeps a glance's reads bounded


@dataclass(frozen=True)
class Counts:
    sites: int
    active_sites: int
    workers_at_work: int
    poor_workers_at_work: int

    @property
    def resumption_rate(self) -> str:
        """Active sites over sites, as a decimal string with 4 places ("0" when there are none)."""
        return f"{self.active_sites / self.sites:.4f}" if self.sites else "0"


def employment(session: Session, region: Region, day: date) -> tuple[Counts, list[tuple[Region, Counts]]]:
    sites = dict(session.execute(select(Site.id, Region.path).join(Region, Region.code == Site.region_code)
                                 .where(Region.path.startswith(region.path))).all())
    worked = worked_days(day, day, sites=_sites_inside(region)).subquery()
    at_work = {tuple(row) for row in session.execute(select(worked.c.worker_id, worked.c.site_id).distinct())}
    poor = set(session.scalars(select(Worker.id).join(Household, Household.id == Worker.household_id).where(
        Worker.id.in_({worker for worker, _ in at_work}), Household.status.in_(POOR))))
    children = session.scalars(select(Region).where(Region.parent_code == region.code).order_by(Region.code)).all()

    def count(prefix: str) -> Counts:
        inside = {site for site, path in sites.items() if path.startswith(prefix)}
        workers = {worker for worker, site in at_work if site in inside}
        return Counts(len(inside), len({site for _, site in at_work if site in inside}), len(workers),
                      len(workers & poor))

    return count(region.path), [(child, count(child.path)) for child in children]


@dataclass(frozen=True)
class WeekCounts:
    """One ISO week of an area: who was at work, the workshops that worked (resumed), and the welfare posts
    filled (a post with an assignment active on a day of the week)."""
    week: date  # its Monday
    workers_at_work: int = 0
    poor_workers_at_work: int = 0
    workshops: int = 0
    workshops_resumed: int = 0
    posts: int = 0
    posts_filled: int = 0

    @property
    def iso_week(self) -> str:
        year, number, _ = self.week.isocalendar()
        return f"{year}-W{number:02d}"

    @property
    def resumption_rate(self) -> Decimal | None:
        """Workshops resumed over workshops (复工率); None without workshops."""
        return Decimal(self.workshops_resumed) / self.workshops if self.workshops else None

    @property
    def posts_filled_rate(self) -> Decimal | None:
        return Decimal(self.posts_filled) / self.posts if self.posts else None


@dataclass(frozen=True)
class AreaWeeks:
    code: str
    name: str
    weeks: tuple[WeekCounts, ...]


@dataclass(frozen=True)
class Glance:
    weeks: tuple[date, ...]  # the Mondays, oldest first
    total: AreaWeeks  # the region asked for: each worker and post counted once
    villages: tuple[AreaWeeks, ...] = field(default=())  # by the site's village, in code order


def county_glance(session: Session, region: Region, first: date, last: date) -> Glance:
    """The ISO weeks from the one holding `first` to the one holding `last`, in the county `region` and in each
    village of it (and any other region of it that holds sites). Raises ValueError for a range that runs
    backwards or holds more than MAX_WEEKS weeks, or for a region that is not a county (whose distinct workers
    are not kept)."""
    mondays = _mondays(first, last)
    if region.level != "county":
        raise ValueError(f"{region.code} is a {region.level}, not a county")
    areas = session.execute(select(Region.code, Region.name).where(
        Region.path.startswith(region.path),
        or_(Region.level == "village", Region.code.in_(select(Site.region_code)))).order_by(Region.code)).all()
    counts: dict[tuple[str | None, int], dict[str, int]] = defaultdict(dict)
    for key, values in (*_work_counts(session, region, mondays), *_post_counts(session, region, mondays)):
        counts[key].update(values)
    sites = _site_counts(session, region)

    def weeks(code: str | None) -> tuple[WeekCounts, ...]:
        return tuple(WeekCounts(monday, **counts.get((code, n), {}), **sites.get(code, {}))
                     for n, monday in enumerate(mondays))

    return Glance(tuple(mondays), AreaWeeks(region.code, region.name, weeks(None)),
                  tuple(AreaWeeks(code, name, weeks(code)) for code, name in areas if code != region.code))


def _mondays(first: date, last: date) -> list[date]:
    if last < first:
        raise ValueError(f"the weeks run backwards: {first} to {last}")
    start, end = first - timedelta(days=first.weekday()), last - timedelta(days=last.weekday())
    count = (end - start).days // 7 + 1
    if count > MAX_WEEKS:
        raise ValueError(f"{count} weeks asked for, at most {MAX_WEEKS}")
    return [start + timedelta(weeks=n) for n in range(count)]


def _sites_inside(region: Region):
    return select(Site.id).join(Region, Region.code == Site.region_code).where(Region.path.startswith(region.path))


def worked_days(since: date, until: date, *, sites=None, workers=None):
    """A select of (worker_id, site_id, work_date), each once: the days at work from `since` to `until` at the
    `sites` or of the `workers` (each a select or a collection of ids), down the indexes on site or worker
    and date of both tables."""
    parts = []
    for table, worked in ((AttendanceRecord, AttendanceRecord.status.in_(WORKED)),
                          (OutputRecord, OutputRecord.voided_by.is_(None))):
        where = [worked, table.work_date.between(since, until)]
        if sites is not None:
            where.append(table.site_id.in_(sites))
        if workers is not None:
            where.append(table.worker_id.in_(workers))
        parts.append(select(table.worker_id, table.site_id, table.work_date).where(*where))
    return union(*parts)


def _work_counts(session: Session, region: Region, mondays: list[date]):
    """((village or None for all, week number), counts) of the workers at work and the workshops resumed, read
    from the counts the consumers keep per area and week (app/ledger/week_counts.py): a row per village and
    week, and the county's own for the total (a worker at work in two villages counts once in it)."""
    number = {monday: n for n, monday in enumerate(mondays)}
    inside = select(Region.code).where(Region.path.startswith(region.path))
    counts = {}
    for code, week, *values in session.execute(
            select(AreaWeek.region_code, AreaWeek.week, *(getattr(AreaWeek, name) for name in COUNTS))
            .where(AreaWeek.week.between(mondays[0], mondays[-1]), AreaWeek.region_code.in_(inside))):
        counts[(None if code == region.code else code, number[week])] = dict(zip(COUNTS, values))
    return counts.items()


def _post_counts(session: Session, region: Region, mondays: list[date]):
    """((village or None for all, week number), counts) of the posts filled: a post with an assignment active on
    a day of the week. The posts' distinct spans are read first (a post's workers mostly share theirs), so the
    weeks are matched against a span a post, not an assignment each."""
    first, last = mondays[0], mondays[-1] + timedelta(days=6)
    spans = (select(Assignment.site_id, Site.region_code, Assignment.start_date, Assignment.end_date).distinct()
             .join(Site, Site.id == Assignment.site_id)
             .where(Site.kind == "post", Assignment.site_id.in_(_sites_inside(region)), Assignment.start_date <= last,
                    or_(Assignment.end_date.is_(None), Assignment.end_date >= first)))
    weeks = [(n, monday, monday + timedelta(days=6)) for n, monday in enumerate(mondays)]
    filled: dict[tuple[str | None, int], set[str]] = defaultdict(set)
    for site, area, start, end in session.execute(spans):
        for n, monday, sunday in weeks:
            if start <= sunday and (end is None or end >= monday):
                filled[(area, n)].add(site)
                filled[(None, n)].add(site)  # a post is in one village: the total is their sum
    return [(key, {"posts_filled": len(sites)}) for key, sites in filled.items()]


def _site_counts(session: Session, region: Region) -> dict[str | None, dict[str, int]]:
    """region -> {"workshops": n, "posts": n} of the regions holding sites, and None -> the sums."""
    sites: dict[str | None, dict[str, int]] = defaultdict(dict)
    for code, kind, number in session.execute(
            select(Site.region_code, Site.kind, func.count()).where(Site.id.in_(_sites_inside(region)))
            .group_by(Site.region_code, Site.kind)):
        name = {"workshop": "workshops", "post": "posts"}[kind]
        sites[code][name] = number
        sites[None][name] = sites[None].get(name, 0) + number
    return sites
