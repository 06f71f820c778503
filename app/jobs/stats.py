"""Return-to-work statistics of a region (返岗复工), as of a day and week by week: read-only and set-based.

- baseline: the migrant workforce at the end of the year before (the region's own figure, else the sum of
  the figures of the regions below it), the denominator of the return-to-work rate;
- returned to work: the region's labourers at work on the day, locally or away, read from the counts kept of
  their status histories (app/ledger/labour_counts.py); willing to go out: those without work whose profile
  says they would go out;
- workshops and bases: the region's poverty-alleviation workshops and industrial bases, resumed in the week
  when someone worked there; people absorbed: those at work there that week, and the poor among them;
- referrals and hires of the region's labourers since 1 January (in a week of the series: that week), and
  the median days from the start of a hired labourer's time without work to the hire.

A labourer belongs to the region of their household. Days are China's; a timestamp counts on its China day."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select, union_all
from sqlalchemy.orm import Session

from app.alerts.stats import MAX_WEEKS, POOR
from app.db.models import (
    Employer,
    Household,
    LabourBaseline,
    LabourStatusChange,
    LabourStatusDay,
    LabourStatusWeek,
    Referral,
    Region,
    Site,
    SiteWeekWorker,
    Worker,
)
from app.db.models.registry import REGION_LEVELS
from app.jobs.spells import WITHOUT_WORK, idle_since, median
from app.ledger.weeks import monday
from labour.status import Change

CHINA = ZoneInfo("Asia/Shanghai")
RESUMING = ("workshop",)  # site kinds counted as workshops; industrial bases are employers of this kind:
BASES = ("industrial_base",)
ABOVE_COUNTIES = REGION_LEVELS[:REGION_LEVELS.index("county")]


@dataclass(frozen=True)
class Figures:
    day: date  # as of this day; in a weekly series, the week's last day
    baseline: int | None  # None: no figure recorded for the region or below it
    working_local: int
    working_away: int
    willing_to_go_out: int
    workshops: int  # workshops and industrial bases
    resumed: int
    absorbed: int
    absorbed_poor: int
    referrals: int
    hires: int
    median_days_to_hire: Decimal | None

    @property
    def returned_to_work(self) -> int:
        return self.working_local + self.working_away

    @property
    def return_rate(self) -> Decimal | None:
        """Returned to work over the baseline (返岗率); None without a baseline."""
        return Decimal(self.returned_to_work) / self.baseline if self.baseline else None

    @property
    def resumption_rate(self) -> Decimal | None:
        """Workshops and bases resumed over all of them (复工率); None without any."""
        return Decimal(self.resumed) / self.workshops if self.workshops else None


def return_to_work(session: Session, region: Region, day: date) -> Figures:
    """The figures of `region` as of `day`; referrals and hires since 1 January of its year."""
    return _figures(session, region, [(date(day.year, 1, 1), day)])[0]


def weekly(session: Session, region: Region, first: date, last: date) -> list[Figures]:
    """The figures of each ISO week from the one holding `first` to the one holding `last`, each as of its last
    day (Sunday, or `last` in the last week); referrals and hires of that week alone. Raises ValueError for weeks
    that run backwards or more than a year of them (app.alerts.stats.MAX_WEEKS)."""
    if last < first:
        raise ValueError(f"the weeks run backwards: {first} to {last}")
    monday = first - timedelta(days=first.weekday())
    mondays = [monday + timedelta(weeks=n) for n in range((last - monday).days // 7 + 1)]
    if len(mondays) > MAX_WEEKS:
        raise ValueError(f"{len(mondays)} weeks asked for, at most {MAX_WEEKS}")
    return _figures(session, region, [(monday, min(monday + timedelta(days=6), last)) for monday in mondays])


def _figures(session: Session, region: Region, periods: list[tuple[date, date]]) -> list[Figures]:
    days = [end for _, end in periods]
    statuses = _status_counts(session, region, days)
    sites = _site_counts(session, region, sorted({end - timedelta(days=end.weekday()) for end in days}))
    flows = _flows(session, region, periods)
    baselines = {year: _baseline(session, region, year) for year in {end.year - 1 for end in days}}
    out = []
    for n, (_, end) in enumerate(periods):
        counts = statuses.get(n, Counter())
        workshops, resumed, absorbed, poor = sites[end - timedelta(days=end.weekday())]
        out.append(Figures(end, baselines[end.year - 1], counts["working_local"], counts["working_away"],
                           counts["willing"], workshops, resumed, absorbed, poor, *flows[n]))
    return out


def _of_labourers(region: Region, *columns):
    """A select of the referrals of the labourers whose household is in `region`: found by their time first (the
    period's), not by the region's labourers (a province's millions)."""
    return (select(*columns).join(Worker, Worker.id == Referral.worker_id)
            .join(Household, Household.id == Worker.household_id)
            .join(Region, Region.code == Household.region_code).where(Region.path.startswith(region.path)))


def _count_areas(region: Region):
    """The areas whose kept counts add up to the region's (app/ledger/labour_counts.py): a county's own; above
    counties, each county under it and the regions above counties (their own households); below, every region."""
    if region.level == "county":
        return [region.code]
    below = select(Region.code).where(Region.path.startswith(region.path))
    if region.level in ABOVE_COUNTIES:
        return below.where(Region.level.in_(("county", *ABOVE_COUNTIES)))
    return below


def _status_counts(session: Session, region: Region, days: list[date]) -> dict[int, Counter]:
    """Day number -> Counter of the labourers by status on it, and of those without work willing to go out: the
    moves of the weeks before the day's, then those of the days of its week up to it (the week's own, on a
    Sunday)."""
    areas, week = _count_areas(region), LabourStatusWeek
    first = min(monday(day) for day in days)
    totals: Counter = Counter()
    for status, keen, change in session.execute(
            select(week.status, week.willing, func.sum(week.change)).where(week.region_code.in_(areas),
                                                                           week.week < first)
            .group_by(week.status, week.willing)):
        totals[(status, keen)] += change
    weeks: dict[date, Counter] = defaultdict(Counter)
    for monday_, status, keen, change in session.execute(
            select(week.week, week.status, week.willing, func.sum(week.change))
            .where(week.region_code.in_(areas), week.week >= first, week.week <= max(days))
            .group_by(week.week, week.status, week.willing)):
        weeks[monday_][(status, keen)] += change
    counts: dict[int, Counter] = {}
    for n, day in enumerate(days):
        moved = totals.copy()  # updated, not added: a week's moves may be negative
        for monday_, moves in weeks.items():
            if monday_ < monday(day):
                moved.update(moves)
        moved.update(weeks[monday(day)] if day.weekday() == 6 else _days_moves(session, areas, monday(day), day))
        counts[n] = Counter()
        for (status, keen), number in moved.items():
            counts[n][status] += number
            counts[n]["willing"] += number if keen and status in WITHOUT_WORK else 0
    return counts


def _days_moves(session: Session, areas, first: date, last: date) -> Counter:
    on_day = LabourStatusDay
    return Counter({(status, keen): change for status, keen, change in session.execute(
        select(on_day.status, on_day.willing, func.sum(on_day.change))
        .where(on_day.region_code.in_(areas), on_day.day >= first, on_day.day <= last)
        .group_by(on_day.status, on_day.willing))})


def _resuming_sites(region: Region):
    """A select of the ids of the region's workshops and its industrial bases' sites."""
    workshops = (select(Site.id).join(Region, Region.code == Site.region_code)
                 .where(Site.kind.in_(RESUMING), Region.path.startswith(region.path)))
    bases = (select(Employer.site_id).join(Region, Region.code == Employer.region_code)
             .where(Employer.kind.in_(BASES), Region.path.startswith(region.path)))
    return union_all(workshops, bases)


def _site_counts(session: Session, region: Region, mondays: list[date]) -> dict[date, tuple[int, int, int, int]]:
    """Monday -> (workshops and bases, those resumed that week, people at work there, the poor among them)."""
    sites = _resuming_sites(region).subquery("sites")
    total = session.scalar(select(func.count()).select_from(sites))
    worked = (select(SiteWeekWorker.week, SiteWeekWorker.site_id, SiteWeekWorker.worker_id,
                     Household.status.in_(POOR).label("poor"))
              .join(Worker, Worker.id == SiteWeekWorker.worker_id).join(Household, Household.id == Worker.household_id)
              .where(SiteWeekWorker.week.in_(mondays), SiteWeekWorker.site_id.in_(select(sites.c.id)))
              .subquery("worked"))
    people = select(worked.c.week, worked.c.worker_id, func.max(case((worked.c.poor, 1), else_=0)).label("poor")
                    ).group_by(worked.c.week, worked.c.worker_id).subquery("people")
    resumed = dict(session.execute(select(worked.c.week, func.count(worked.c.site_id.distinct()))
                                   .group_by(worked.c.week)).all())
    absorbed = {week: (number, poor) for week, number, poor in session.execute(
        select(people.c.week, func.count(), func.coalesce(func.sum(people.c.poor), 0)).group_by(people.c.week))}
    return {monday: (total, resumed.get(monday, 0), *absorbed.get(monday, (0, 0))) for monday in mondays}


def _flows(session: Session, region: Region, periods: list[tuple[date, date]]
           ) -> list[tuple[int, int, Decimal | None]]:
    """For each period: (referrals made, hires, median days without work before a hire)."""
    start, end = _instant(periods[0][0]), _instant(periods[-1][1] + timedelta(days=1))
    made = session.scalars(_of_labourers(region, Referral.referred_at).where(
        Referral.referred_at >= start, Referral.referred_at < end)).all()
    hires = session.execute(_of_labourers(region, Referral.worker_id, Referral.start_date, Referral.hired_at).where(
        Referral.hired_at >= start, Referral.hired_at < end)).all()
    histories: dict[str, list[Change]] = defaultdict(list)
    hired_workers = {worker for worker, _, _ in hires}
    for worker, *fields in session.execute(select(
            LabourStatusChange.worker_id, LabourStatusChange.status, LabourStatusChange.effective_date,
            LabourStatusChange.recorded_at, LabourStatusChange.event_id, LabourStatusChange.until)
            .where(LabourStatusChange.worker_id.in_(hired_workers))):
        histories[worker].append(Change(*fields))
    out = []
    for first, last in periods:
        referrals = sum(1 for moment in made if first <= _china_day(moment) <= last)
        waits = []
        hired = 0
        for worker, start_date, moment in hires:
            if not first <= _china_day(moment) <= last:
                continue
            hired += 1
            hire_day = start_date or _china_day(moment)
            since = idle_since(histories[worker], hire_day)
            if since is not None:
                waits.append((hire_day - since).days)
        out.append((referrals, hired, median(waits)))
    return out


def _instant(day: date) -> datetime:
    """The first moment of a China day, in UTC as the timestamps are stored."""
    return datetime.combine(day, time(), CHINA).astimezone(ZoneInfo("UTC"))


def _china_day(moment: datetime) -> date:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=ZoneInfo("UTC"))
    return aware.astimezone(CHINA).date()


def _baseline(session: Session, region: Region, year: int) -> int | None:
    """The region's own figure for `year`, else the sum of the highest figures recorded below it."""
    rows = dict(session.execute(select(Region.path, LabourBaseline.migrant_workers)
                                .join(Region, Region.code == LabourBaseline.region_code)
                                .where(LabourBaseline.year == year, Region.path.startswith(region.path))).all())
    if not rows:
        return None
    if region.path in rows:
        return rows[region.path]
    return sum(count for path, count in rows.items() if not any(above in rows for above in _above(path)))


def _above(path: str) -> list[str]:
    """"/36/3607/360731/" -> ["/36/", "/36/3607/"]: the paths of the regions above it."""
    codes = path.strip("/").split("/")
    return ["/" + "/".join(codes[:n]) + "/" for n in range(1, len(codes))]

