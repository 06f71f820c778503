"""Ranking labourers for a vacancy and vacancies for a labourer: SQL keeps only what no hard filter excludes, ring
by ring through the region tree from the nearest outward, up to a bounded number of candidates; the pure rules
of `matching` score and order them.

A ring is the regions that share exactly d levels of the region tree with the other side. Candidates come from
the deepest ring first, each ring in region-path and id order, so the set is the same on every call; a labourer
beyond the bound is never ranked, which leaves out only farther ones than those taken.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy import and_, exists, false, func, not_, or_, select, true
from sqlalchemy.orm import Session

import matching
import payroll
from app.db.models import (
    Alert,
    Household,
    LabourProfile,
    LabourStatus,
    Referral,
    Region,
    Vacancy,
    Worker,
    WorkerMonthIncome,
)

LABOURER_CANDIDATES = 500  # labourers scored for one vacancy
VACANCY_CANDIDATES = 200  # vacancies scored for one labourer
HOUSEHOLD_VACANCIES = 5  # shown with an alert on the household
WORKING = ("working_local", "working_away")
OPEN_ALERTS = ("open", "acknowledged")


@dataclass(frozen=True)
class Ranked:
    """A ranking, best first, and what it ranked: labourers or vacancies by id."""

    matches: list[matching.Match]
    labourers: dict[str, matching.Labourer]
    vacancies: dict[str, Any]  # a Vacancy, or a row of its columns: id, title, region_code ...


def ancestors(path: str) -> list[str]:
    """"/36/3607/" -> ["/", "/36/", "/36/3607/"]: the path of each region above and at it, the root first."""
    codes = matching.region_path(path)
    return ["/" + "".join(code + "/" for code in codes[:depth]) for depth in range(len(codes) + 1)]


def under(path_column, path: str):
    """The regions at and below `path`, escaped with a backslash: autoescape's "/" would double each "/"."""
    return path_column.like(path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",
                            escape="\\")


def ring(path_column, around: list[str], shared: int):
    """Regions sharing exactly `shared` levels with the region whose ancestors are `around`."""
    inside = under(path_column, around[shared])
    if shared + 1 < len(around):
        return and_(inside, not_(under(path_column, around[shared + 1])))
    return inside


def lighter_or_equal(demand: str) -> list[str]:
    return list(matching.DEMANDS[:matching.DEMANDS.index(demand) + 1])


def heavier_or_equal(demand: str) -> list[str]:
    return list(matching.DEMANDS[matching.DEMANDS.index(demand):])


def can_take(demand: str, today: date):
    """Labourers whose health allows work of `demand`, and, for heavy work, not past the age for it this year
    (matching.filters' rule: an unknown birth year bars nothing)."""
    healthy = LabourProfile.max_physical_demand.in_(heavier_or_equal(demand))
    if demand != "heavy":
        return healthy
    born_since = today.year - matching.HEAVY_WORK_LAST_AGE
    return and_(healthy, or_(LabourProfile.birth_year.is_(None), LabourProfile.birth_year >= born_since))


def employed_full_time(today: date):
    """A worker at work on `today` (locally or away: labour.status's rule on the current view), unless hired
    into a part-time vacancy."""
    part_time = (select(Referral.id).join(Vacancy, Vacancy.id == Referral.vacancy_id)
                 .where(Referral.assignment_id == LabourStatus.assignment_id, Vacancy.full_time.is_(false())))
    return exists().where(LabourStatus.worker_id == Worker.id, LabourStatus.status.in_(WORKING),
                          LabourStatus.effective_date <= today,
                          or_(LabourStatus.until.is_(None), LabourStatus.until >= today), not_(exists(part_time)))


_LABOURER_COLUMNS = (Worker.id, Worker.household_id, Household.size, Household.status, Region.path,
                     LabourProfile.skills, LabourProfile.travel_range, LabourProfile.max_physical_demand,
                     LabourProfile.birth_year)


def _labourers(*extra):
    """The labourers (workers with a profile) with their household and region."""
    return (select(*_LABOURER_COLUMNS, *extra).select_from(Region)
            .join(Household, Household.region_code == Region.code).join(Worker, Worker.household_id == Household.id)
            .join(LabourProfile, LabourProfile.worker_id == Worker.id))


def _ring_of_labourers(vacancy: Vacancy, around: list[str], shared: int, within: str | None, today: date):
    """The labourers of one ring whom no hard filter excludes, in region-path and id order."""
    reaching = [name for name, levels in matching.SHARED_LEVELS.items() if levels <= shared]
    return (_labourers()
            .where(ring(Region.path, around, shared),
                   or_(LabourProfile.travel_range.in_(reaching), Region.path == around[shared]),
                   can_take(vacancy.physical_demand, today),
                   not_(employed_full_time(today)),
                   under(Region.path, within) if within else true())
            .order_by(Region.path, Worker.id))


def _labourer_rows(session: Session, vacancy: Vacancy, path: str, within: str | None, today: date,
                   need: bool = False) -> list:
    """The candidates, nearest ring first, with their households' need (`with_need`) or without (the bare
    filter)."""
    around = ancestors(path)
    rows: list = []
    for shared in range(len(around) - 1, -1, -1):
        query = _ring_of_labourers(vacancy, around, shared, within, today).limit(LABOURER_CANDIDATES - len(rows))
        rows += session.execute(with_need(query, today) if need else query).all()
        if len(rows) >= LABOURER_CANDIDATES:
            break
    return rows


def last_year(today: date) -> list[str]:
    """The 12 finished months before `today`."""
    last = f"{today.year - (today.month == 1):04d}-{(today.month - 2) % 12 + 1:02d}"
    return [*payroll.previous_months(last, 11), last]


def household_income(household_id, months: list[str]):
    """What the household's members earned in `months`, as a column of the row that names the household."""
    return (select(func.coalesce(func.sum(WorkerMonthIncome.income_fen), 0))
            .select_from(Worker).join(WorkerMonthIncome, WorkerMonthIncome.worker_id == Worker.id)
            .where(Worker.household_id == household_id, WorkerMonthIncome.month.in_(months))
            .scalar_subquery())


def alerted(household_id):
    """Whether an alert of the household is open, as a column; LIMIT keeps it a lookup by household, where an
    EXISTS would be planned as a hash of every open alert."""
    return (select(Alert.id).where(Alert.household_id == household_id, Alert.status.in_(OPEN_ALERTS)).limit(1)
            .scalar_subquery().is_not(None))


def with_need(query, today: date):
    """The rows of `query` with their household's income over the last year and whether an alert of it is open,
    asked in the same statement, once for each row the query keeps."""
    rows = query.subquery()
    return select(rows, household_income(rows.c.household_id, last_year(today)).label("income_fen"),
                  alerted(rows.c.household_id).label("open_alert"))


def household_need(row, today: date, thresholds: payroll.AlertThresholds) -> matching.Household:
    """A household's need from a row `with_need`: income per person over the last year against the line."""
    return matching.Household(size=row.size, status=row.status, monitoring_line_fen=thresholds.monitoring_line_fen(
        today.year), open_alert=bool(row.open_alert), income_per_person_fen=payroll.round_half_up(
        Fraction(int(row.income_fen), row.size)))


def as_labourer(row, household: matching.Household, busy: bool = False) -> matching.Labourer:
    return matching.Labourer(id=row.id, skills=frozenset(row.skills), travel_range=row.travel_range,
                             heaviest=row.max_physical_demand, employed_full_time=busy,
                             region=matching.region_path(row.path), household=household, birth_year=row.birth_year)


def as_vacancy(vacancy: Any, path: str) -> matching.Vacancy:
    return matching.Vacancy(id=vacancy.id, skills=frozenset(vacancy.skills), demand=vacancy.physical_demand,
                            pay_per_month_fen=matching.monthly_pay_fen(vacancy.scheme),
                            region=matching.region_path(path), start=vacancy.start_date, end=vacancy.end_date,
                            poor_first=vacancy.poor_first)


def is_open(vacancy: Vacancy, today: date) -> bool:
    return vacancy.status == "open" and vacancy.hired < vacancy.count and (
        vacancy.end_date is None or vacancy.end_date >= today)


def labourers_for(session: Session, vacancy: Vacancy, today: date, thresholds: payroll.AlertThresholds,
                  within: str | None = None) -> Ranked:
    """The labourers of region `within` (all, if None) for an open vacancy, best first."""
    path = session.scalar(select(Region.path).where(Region.code == vacancy.region_code))
    if not is_open(vacancy, today):
        return Ranked([], {}, {vacancy.id: vacancy})
    rows = _labourer_rows(session, vacancy, path, within, today, need=True)
    labourers = {row.id: as_labourer(row, household_need(row, today, thresholds)) for row in rows}
    ranked = matching.rank_labourers(as_vacancy(vacancy, path), labourers.values(), today)
    return Ranked(ranked, labourers, {vacancy.id: vacancy})


def labourer(session: Session, worker_id: str, today: date, thresholds: payroll.AlertThresholds
             ) -> matching.Labourer | None:
    """The worker as matching sees them; None when they have no labour profile."""
    row = session.execute(with_need(_labourers(employed_full_time(today).label("busy"))
                                    .where(Worker.id == worker_id), today)).one_or_none()
    if row is None:
        return None
    return as_labourer(row, household_need(row, today, thresholds), row.busy)


_VACANCY_COLUMNS = (Vacancy.id, Vacancy.title, Vacancy.region_code, Vacancy.skills, Vacancy.physical_demand,
                    Vacancy.scheme, Vacancy.start_date, Vacancy.end_date, Vacancy.poor_first, Region.path)


def _vacancy_rows(session: Session, labourer: matching.Labourer, today: date) -> list:
    around = ancestors("/" + "".join(code + "/" for code in labourer.region))
    needed = min(matching.SHARED_LEVELS[labourer.travel_range], len(labourer.region))
    rows: list = []
    for shared in range(len(around) - 1, needed - 1, -1):
        query = (select(*_VACANCY_COLUMNS).join(Region, Region.code == Vacancy.region_code)
                 .where(ring(Region.path, around, shared), Vacancy.status == "open", Vacancy.hired < Vacancy.count,
                        or_(Vacancy.end_date.is_(None), Vacancy.end_date >= today),
                        Vacancy.physical_demand.in_(lighter_or_equal(matching.heaviest_allowed(labourer, today))))
                 .order_by(Region.path, Vacancy.id).limit(VACANCY_CANDIDATES - len(rows)))
        rows += session.execute(query).all()
        if len(rows) >= VACANCY_CANDIDATES:
            break
    return rows


def vacancies_for(session: Session, labourer: matching.Labourer, today: date) -> Ranked:
    """The open vacancies for a labourer, best first."""
    if labourer.employed_full_time:
        return Ranked([], {labourer.id: labourer}, {})
    rows = _vacancy_rows(session, labourer, today)
    vacancies = {row.id: row for row in rows}
    ranked = matching.rank_vacancies(labourer, [as_vacancy(row, row.path) for row in rows], today)
    return Ranked(ranked, {labourer.id: labourer}, vacancies)


@dataclass(frozen=True)
class MemberMatch:
    """A vacancy for one member of a household."""

    worker_id: str
    name: str
    match: matching.Match
    vacancy: Any  # a row of the vacancy's columns: id, title, region_code ...


def vacancies_for_household(session: Session, household_id: str, today: date, thresholds: payroll.AlertThresholds,
                            most: int = HOUSEHOLD_VACANCIES) -> list[MemberMatch]:
    """The best vacancies for the household's idle members (those with a labour profile, not employed full
    time), best first, at most `most`: what an alert on the household may be answered with."""
    found = []
    members = session.execute(select(Worker.id, Worker.name).where(Worker.household_id == household_id)
                              .order_by(Worker.id)).all()
    for member in members:
        seen = labourer(session, member.id, today, thresholds)
        if seen is not None:
            ranked = vacancies_for(session, seen, today)
            found += [MemberMatch(member.id, member.name, match, ranked.vacancies[match.vacancy_id])
                      for match in ranked.matches[:most]]
    found.sort(key=lambda member: (-member.match.score, member.vacancy.id, member.worker_id))
    return found[:most]
