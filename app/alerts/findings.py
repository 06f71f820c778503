"""What the alert rules find, asked of the database, one chunk at a time: a chunk is a key range of the
households (with their workers) or of the sites, and each rule reads only its chunk's rows and returns the
evidence the pure rule of payroll/alerts.py needs to state its findings, never a year of rows.
`within` (a region path) is part of every query: a county's evaluation reads only its county."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import BigInteger, Select, and_, case, cast, exists, func, literal, or_, select, text, union_all
from sqlalchemy.orm import Session

import payroll
from app.alerts.changed import EVERYTHING, Changed, Only
from app.db.models import (
    Alert,
    ApprovedPay,
    Assignment,
    AttendanceRecord,
    Household,
    OutputRecord,
    PaymentLine,
    PeriodTransition,
    Region,
    Site,
    Worker,
    WorkerMonthIncome,
)
from app.db.queries import among
from app.pay.income import household_income
from app.registry.households import size_in_month

WORKED = ("present", "half_day")
# the last N recorded days of a site lie well within a year
LOOKBACK = timedelta(days=366)


@dataclass(frozen=True)
class Subject:
    type: str
    id: str
    household_id: str | None
    region_code: str
    region_path: str


Findings = Iterator[tuple[Subject, payroll.Finding]]
# the subjects of the chunks, in the order evaluated: a household's rules and its workers', then the sites'
SUBJECTS = {"household": Household, "site": Site}
Done = tuple[str, str | None] | None  # the subjects and last key of the last chunk done; None before the first


@dataclass(frozen=True)
class Chunk:
    """The `subjects` whose id is after `after` (None: from the first) up to `last` (None: to the end)."""
    subjects: str
    after: str | None
    last: str | None

    @property
    def is_last(self) -> bool:
        return self.last is None and self.subjects == list(SUBJECTS)[-1]

    @property
    def done(self) -> Done:
        """What `next_chunk` continues from once this chunk is done."""
        return self.subjects, self.last

    def holds(self, key) -> list:
        """The conditions on a column of subject ids that keep this chunk's."""
        conditions = [] if self.after is None else [key > self.after]
        return conditions if self.last is None else [*conditions, key <= self.last]


def next_chunk(session: Session, done: Done, within: str | None, size: int, changed: Changed = EVERYTHING) -> Chunk:
    """The chunk after `done`: the next `size` subjects inside `within` (of those `changed` keeps), in key order
    (one statement)."""
    names = list(SUBJECTS)
    if done is None:
        subjects, after = names[0], None
    elif done[1] is None:
        subjects, after = names[names.index(done[0]) + 1], None
    else:
        subjects, after = done
    model = SUBJECTS[subjects]
    bounds = Chunk(subjects, after, None).holds(model.id) + changed.chunked(session, subjects)
    # the size-th key and the one after it: without one after, this chunk runs to the end
    keys = session.scalars(_inside(select(model.id).join(Region, Region.code == model.region_code), within)
                           .where(*bounds).order_by(model.id).offset(size - 1).limit(2)).all()
    return Chunk(subjects, after, keys[0] if len(keys) == 2 else None)


def site_parts(session: Session, count: int) -> list[Chunk]:
    """The sites in `count` key ranges of about as many sites each (one statement a boundary)."""
    sites = session.scalar(select(func.count()).select_from(Site)) or 0
    bounds = [session.scalar(select(Site.id).order_by(Site.id).offset(sites * n // count - 1).limit(1))
              for n in range(1, count)] if sites >= count else []
    return [Chunk("site", after, last) for after, last in zip([None, *bounds], [*bounds, None], strict=True)]


def _inside(query: Select, within: str | None) -> Select:
    return query if within is None else query.where(Region.path.startswith(within, autoescape=True))


def household_findings(session: Session, month: str, t: payroll.AlertThresholds, within: str | None,
                       chunk: Chunk, only: Only = None) -> Findings:
    """income_drop, below_line and projected_below_line of the chunk's households inside `within` (and in
    `only`): the pure rules confirm the candidates of `_household_candidates`, so that they read the income of
    those alone."""
    if only is not None and not only:
        return
    months = sorted(set(payroll.previous_months(month, 11) + [month] + payroll.months_of_year_until(month)))
    # the key range on the workers themselves, so that their index finds the chunk's
    workers = chunk.holds(Worker.household_id) + _among(session, Worker.household_id, only)
    if within is not None:
        workers.append(Worker.household_id.in_(_inside(
            select(Household.id).join(Region, Region.code == Household.region_code)
            .where(*chunk.holds(Household.id)), within)))
    _read_by_key(session, True)
    households = session.execute(_household_candidates(month, t, within, chunk, workers)
                                 .where(*_among(session, Household.id, only))).all()
    _read_by_key(session, False)
    income = household_income(session, months, [row[0] for row in households], where=workers) if households else {}
    for household_id, status, size, region_code, path in households:
        series = income.get(household_id, {})
        subject = Subject("household", household_id, household_id, region_code, path)
        for finding in (payroll.income_drop(series, month, t),
                        payroll.below_line(status, size, series, month, t),
                        payroll.projected_below_line(status, size, series, month, t)):
            if finding is not None:
                yield subject, finding


def _household_candidates(month: str, t: payroll.AlertThresholds, within: str | None, chunk: Chunk,
                          workers: list) -> Select:
    """The chunk's households for which a household rule holds and has not raised its alert yet: each rule's
    test in whole fen, multiplied out so that it stays exact (the rules of payroll/alerts.py, restated)."""
    previous, twelve = payroll.previous_months(month, 3), payroll.previous_months(month, 11) + [month]
    year = payroll.months_of_year_until(month)
    recent = year[-t.projection_months:]
    income = WorkerMonthIncome

    def total(months: list[str]):
        return func.sum(case((income.month.in_(months), income.income_fen), else_=0))

    # one row a household, summed straight from its workers' months; each previous month apart for income_drop
    sums = (select(Worker.household_id, total([month]).label("this"), total(previous).label("previous"),
                   *(total([m]).label(f"previous_{n}") for n, m in enumerate(previous)),
                   total(twelve).label("twelve"), total(year).label("ytd"), total(recent).label("recent"))
            .join(Worker, Worker.id == income.worker_id)
            .where(income.month.in_(sorted(set(twelve + year))), *workers)
            .group_by(Worker.household_id).subquery("sums"))
    earned = and_(*(sums.c[f"previous_{n}"] > 0 for n in range(len(previous))))
    num, den = t.drop_ratio.as_integer_ratio()
    size = size_in_month(month)  # the line rules divide by the household's size in the month evaluated
    line = t.monitoring_line_fen(int(month[:4])) * cast(size, BigInteger)
    watched = Household.status.in_(("poor", "monitored"))  # the households the line rules watch
    this, before, twelve_fen = (func.coalesce(sums.c[name], 0) for name in ("this", "previous", "twelve"))
    ytd, recent_fen = func.coalesce(sums.c.ytd, 0), func.coalesce(sums.c.recent, 0)
    candidate = or_(
        earned & (3 * den * this < (den - num) * before)
        & _not_raised(Household.id, "income_drop", month),
        watched & (twelve_fen < line) & _not_raised(Household.id, "below_line", month),
        watched & (len(recent) * ytd + (12 - len(year)) * recent_fen < len(recent) * line)
        & _not_raised(Household.id, "projected_below_line", month))
    return _inside(
        select(Household.id, Household.status, size, Household.region_code, Region.path)
        .join(Region, Region.code == Household.region_code).outerjoin(sums, sums.c.household_id == Household.id)
        .where(*chunk.holds(Household.id), candidate).order_by(Household.id), within)


def _among(session: Session, key, only: Only) -> list:
    return [] if only is None else [among(session, key, only)]


def _read_by_key(session: Session, on: bool) -> None:
    """On PostgreSQL, have the statements that follow read by index (on) or as the planner likes (off)."""
    if session.get_bind().dialect.name == "postgresql":
        # a chunk's workers are a small part of the income table, found by key; a scan of the whole table per
        # chunk, which the planner prefers for tables only a few chunks large, makes an evaluation quadratic
        session.execute(text(f"SET LOCAL enable_seqscan = {'off' if on else 'on'}"))


def _not_raised(subject_id, kind: str, month, subject_type: str = "household"):
    """Whether the subject's alert of `kind` and `month` is still to raise: the unique index on the four answers."""
    return ~exists().where(Alert.subject_type == subject_type, Alert.subject_id == subject_id, Alert.kind == kind,
                           Alert.month == month)


def recorded_days(session: Session, as_of: date, t: payroll.AlertThresholds,
                  only: Only = None, part: Chunk | None = None) -> dict[str, list[date]]:
    """Each site's last N recorded days up to `as_of`, of the sites with N (and in `only`, and in `part`, a key
    range of sites; one statement, read once for all the chunks): a step a day down each site's index of days,
    where ranking a year of records sorts them all."""
    if only is not None and not only:
        return {}
    sites = _among(session, Site.id, only) + ([] if part is None else part.holds(Site.id))
    days = _last_days(as_of - LOOKBACK, as_of, t.no_work_days, sites)
    found: dict[str, list[date]] = defaultdict(list)
    for site_id, day in session.execute(select(days.c.site_id, days.c.work_date).where(days.c.work_date.is_not(None)),
                                        execution_options={"yield_per": 5000}):
        found[site_id].append(day)
    return {site_id: site_days for site_id, site_days in found.items() if len(site_days) == t.no_work_days}


def no_work_findings(session: Session, month: str, as_of: date, t: payroll.AlertThresholds, within: str | None,
                     chunk: Chunk, site_days: dict[str, list[date]], only: Only = None) -> Findings:
    """Workers of the chunk's households with an assignment (at a site in `only`) active on `as_of` who worked on
    none of the site's last N recorded days (`recorded_days`). One statement: the assignments of workers who did
    not work on or after the latest site's first day of the N (idle at their site, or at least not surely busy),
    each with the worker's last day there."""
    if not site_days:
        return  # no site has N recorded days: not enough evidence anywhere
    since, busy_from = as_of - LOOKBACK, max(min(days) for days in site_days.values())
    rows = session.execute(_inside(
        select(Assignment.worker_id, Assignment.site_id, Worker.household_id, Household.region_code, Region.path,
               _last_attended(since, as_of), _last_produced(since, as_of))
        .join(Worker, Worker.id == Assignment.worker_id).join(Household, Household.id == Worker.household_id)
        .join(Region, Region.code == Household.region_code)
        .where(Assignment.start_date <= as_of, Assignment.end_date.is_(None) | (Assignment.end_date >= as_of),
               ~exists().where(_attendance_worked(busy_from, as_of)), ~exists().where(_output_worked(busy_from, as_of)),
               _not_raised(Assignment.worker_id, "no_work", month, "worker"), *chunk.holds(Worker.household_id),
               *_among(session, Assignment.site_id, only)), within
    ).distinct().order_by(Assignment.worker_id, Assignment.site_id))
    for worker_id, site_id, household_id, region_code, path, attended, produced in rows:
        if site_id not in site_days:
            continue  # fewer than N recorded days: not enough evidence
        finding = payroll.no_work([d for d in (attended, produced) if d is not None], site_days[site_id], as_of, t)
        if finding is not None:
            yield (Subject("worker", worker_id, household_id, region_code, path),
                   payroll.Finding(finding.kind, month, {**finding.detail, "site_id": site_id}))


def _last_days(since: date, until: date, count: int, sites: list):
    """Each site's recorded days (attendance, or output not voided) from the latest down, `count` at most:
    each step the latest day before the step's, so that each site costs `count` reads of its index."""
    days = select(Site.id.label("site_id"), _day_before(Site.id, since, until + timedelta(days=1)).label("work_date"),
                  literal(1).label("n")).where(*sites).cte("days", recursive=True)
    return days.union_all(select(days.c.site_id, _day_before(days.c.site_id, since, days.c.work_date), days.c.n + 1)
                          .where(days.c.n < count, days.c.work_date.is_not(None)))


def _day_before(site, since: date, before):
    """The site's latest recorded day from `since` and before `before`."""
    attended = select(func.max(AttendanceRecord.work_date).label("day")).where(
        AttendanceRecord.site_id == site, AttendanceRecord.work_date >= since, AttendanceRecord.work_date < before
    ).correlate_except(AttendanceRecord)
    produced = select(func.max(OutputRecord.work_date).label("day")).where(
        OutputRecord.site_id == site, OutputRecord.voided_by.is_(None), OutputRecord.work_date >= since,
        OutputRecord.work_date < before).correlate_except(OutputRecord)
    both = union_all(attended, produced).subquery("both_days")
    return select(func.max(both.c.day)).scalar_subquery()


def _attendance_worked(since, until):
    return and_(AttendanceRecord.worker_id == Assignment.worker_id, AttendanceRecord.site_id == Assignment.site_id,
                AttendanceRecord.work_date.between(since, until), AttendanceRecord.status.in_(WORKED))


def _output_worked(since, until):
    # a day with output is a day of work: a piece-rate site may record output without attendance
    return and_(OutputRecord.worker_id == Assignment.worker_id, OutputRecord.site_id == Assignment.site_id,
                OutputRecord.work_date.between(since, until), OutputRecord.voided_by.is_(None),
                OutputRecord.quantity > 0)


def _last_attended(since: date, until: date):
    return select(func.max(AttendanceRecord.work_date)).where(_attendance_worked(since, until)).scalar_subquery()


def _last_produced(since: date, until: date):
    return select(func.max(OutputRecord.work_date)).where(_output_worked(since, until)).scalar_subquery()


def arrears_findings(session: Session, as_of: date, t: payroll.AlertThresholds, within: str | None,
                     chunk: Chunk, only: Only = None) -> Findings:
    """Approved periods of the chunk's sites (in `only`) with money still unpaid D days after approval (one
    statement); the subject is the site."""
    if only is not None and not only:
        return
    approved = (select(PeriodTransition.site_id, PeriodTransition.month, func.max(PeriodTransition.at).label("at"))
                .where(PeriodTransition.to_status == "approved", *chunk.holds(PeriodTransition.site_id),
                       *_among(session, PeriodTransition.site_id, only))
                .group_by(PeriodTransition.site_id, PeriodTransition.month).subquery("approved"))
    owed = (select(ApprovedPay.site_id, ApprovedPay.month, func.sum(ApprovedPay.amount_fen).label("fen"))
            .where(*chunk.holds(ApprovedPay.site_id))
            .group_by(ApprovedPay.site_id, ApprovedPay.month).subquery("owed"))
    paid = (select(PaymentLine.site_id, PaymentLine.month, func.sum(PaymentLine.amount_fen).label("fen"))
            .where(PaymentLine.status == "confirmed", *chunk.holds(PaymentLine.site_id))
            .group_by(PaymentLine.site_id, PaymentLine.month).subquery("paid"))
    unpaid = (func.coalesce(owed.c.fen, 0) - func.coalesce(paid.c.fen, 0)).label("unpaid")
    rows = session.execute(_inside(
        select(approved.c.site_id, approved.c.month, approved.c.at, unpaid, Site.region_code, Region.path)
        .join(Site, Site.id == approved.c.site_id).join(Region, Region.code == Site.region_code)
        .outerjoin(owed, and_(owed.c.site_id == approved.c.site_id, owed.c.month == approved.c.month))
        .outerjoin(paid, and_(paid.c.site_id == approved.c.site_id, paid.c.month == approved.c.month))
        .where(unpaid > 0, _not_raised(approved.c.site_id, "wage_arrears", approved.c.month, "site")), within))
    for site_id, month, approved_at, unpaid_fen, region_code, path in rows:
        finding = payroll.wage_arrears(approved_at.date(), int(unpaid_fen), as_of, t, month)
        if finding is not None:
            yield Subject("site", site_id, None, region_code, path), finding
