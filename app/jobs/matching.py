"""Ranking labourers for a vacancy and vacancies for a labourer: SQL keeps only what no hard filter excludes, ring
by ring through the region tree from the nearest outward, up to a bounded number of candidates; the pure rules
of `matching` score and order them.

A ring is the regions that share exactly d levels of the region tree with the other side. Candidates come from
matching's narrow kept rows (app/jobs/match_rows.py), the deepest ring first: a vacancy's labourers each ring by
their household's priority (an open alert, poor, monitored) and id, a labourer's vacancies each ring by id, each
ring one index range scan under a LIMIT, so the set is the same on every call. A labourer beyond the bound is
never ranked, which leaves out only farther ones than those taken, or of the same ring and no higher priority.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import Session

import matching
import payroll
from app.db.models import (
    Household,
    MatchLabourer,
    MatchVacancy,
    Region,
    Vacancy,
    Worker,
    WorkerMonthIncome,
)
from app.db.models.jobs import TREE_LEVELS

LABOURER_CANDIDATES = 500  # labourers scored for one vacancy
VACANCY_CANDIDATES = 200  # vacancies scored for one labourer
HOUSEHOLD_VACANCIES = 5  # shown with an alert on the household


@dataclass(frozen=True)
class Ranked:
    """A ranking, best first, and what it ranked: labourers or vacancies by id."""

    matches: list[matching.Match]
    labourers: dict[str, matching.Labourer]
    vacancies: dict[str, Any]  # a Vacancy, or a row of its columns: id, title, region_code ...


def under(path_column, path: str):
    """The regions at and below `path`, escaped with a backslash: autoescape's "/" would double each "/"."""
    return path_column.like(path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",
                            escape="\\")


def ring(row, codes: matching.RegionPath, shared: int):
    """The kept rows (MatchLabourer or MatchVacancy) whose region shares exactly `shared` levels of the tree with
    the region of `codes`: at the level of the shared ancestor, then not inside the next region down."""
    levels = [getattr(row, level) for level in TREE_LEVELS]
    if shared == 0:  # outside its province: two ranges of the province index
        return or_(levels[0] < codes[0], levels[0] > codes[0])
    inside = levels[shared - 1] == codes[shared - 1]
    if shared < len(codes):
        return and_(inside, or_(levels[shared].is_(None), levels[shared] != codes[shared]))
    return inside


def free_on(today: date):
    """A kept labourer not at work full time on `today`."""
    return or_(MatchLabourer.busy_from.is_(None), MatchLabourer.busy_from > today, MatchLabourer.busy_until < today)


_CANDIDATE_COLUMNS = (MatchLabourer.worker_id.label("id"), MatchLabourer.household_id, MatchLabourer.path,
                      MatchLabourer.skills, MatchLabourer.travel_range, MatchLabourer.heaviest, MatchLabourer.size,
                      MatchLabourer.status, MatchLabourer.open_alert, MatchLabourer.busy_from, MatchLabourer.busy_until,
                      MatchLabourer.birth_year)


def can_take(demand: str, today: date):
    """Kept labourers whose health allows work of `demand`, and, for heavy work, not past the age for it this year
    (matching.filters' rule: an unknown birth year bars nothing)."""
    healthy = MatchLabourer.heaviest >= matching.DEMANDS.index(demand)
    if demand != "heavy":
        return healthy
    born_since = today.year - matching.HEAVY_WORK_LAST_AGE
    return and_(healthy, or_(MatchLabourer.birth_year.is_(None), MatchLabourer.birth_year >= born_since))


def _ring_of_labourers(vacancy: Vacancy, codes: matching.RegionPath, shared: int, within: str | None,
                       today: date):
    """One ring's labourers whom no hard filter excludes, highest priority first, then by id from the last: an
    index range scan of the ring's level read backwards, until the LIMIT."""
    return (select(*_CANDIDATE_COLUMNS)
            .where(ring(MatchLabourer, codes, shared), MatchLabourer.reach <= shared,
                   can_take(vacancy.physical_demand, today), free_on(today),
                   under(MatchLabourer.path, within) if within else true())
            .order_by(MatchLabourer.priority.desc(), MatchLabourer.worker_id.desc()))


def candidate_labourers(session: Session, vacancy: Vacancy, path: str, within: str | None, today: date) -> list:
    """The bare filter: the kept rows of the labourers whom no hard filter excludes, nearest ring first, at most
    LABOURER_CANDIDATES."""
    codes = matching.region_path(path)
    found: list = []
    for shared in range(len(codes), -1, -1):
        query = _ring_of_labourers(vacancy, codes, shared, within, today).limit(LABOURER_CANDIDATES - len(found))
        found += session.execute(query).all()
        if len(found) >= LABOURER_CANDIDATES:
            break
    return found


def household_incomes(session: Session, household_ids: Iterable[str], today: date) -> dict[str, int]:
    """What each household's members earned in the 12 finished months before `today`: a sum asked for each
    household, as a lookup by its members, where a join of them all is planned as a scan of every income."""
    earned = (select(func.coalesce(func.sum(WorkerMonthIncome.income_fen), 0)).select_from(Worker)
              .join(WorkerMonthIncome, WorkerMonthIncome.worker_id == Worker.id)
              .where(Worker.household_id == Household.id, WorkerMonthIncome.month.in_(last_year(today)))
              .scalar_subquery())
    return dict(session.execute(select(Household.id, earned).where(Household.id.in_(sorted(set(household_ids))))
                                ).all())


def kept_labourers(session: Session, rows: list, today: date, thresholds: payroll.AlertThresholds
                   ) -> dict[str, matching.Labourer]:
    """The labourers of kept rows, with their households' income asked in one statement."""
    incomes = household_incomes(session, (row.household_id for row in rows), today) if rows else {}
    regions = {path: matching.region_path(path) for path in {row.path for row in rows}}  # few, many times each
    return {row.id: matching.Labourer(
        id=row.id, skills=frozenset(row.skills), travel_range=row.travel_range,
        heaviest=matching.DEMANDS[row.heaviest], employed_full_time=not _free(row, today), region=regions[row.path],
        birth_year=row.birth_year,
        household=need(row.size, row.status, bool(row.open_alert), int(incomes.get(row.household_id, 0)), today,
                       thresholds)) for row in rows}


def _free(row, today: date) -> bool:
    """Python's `free_on`."""
    return row.busy_from is None or row.busy_from > today or (row.busy_until is not None and row.busy_until < today)


def last_year(today: date) -> list[str]:
    """The 12 finished months before `today`."""
    last = f"{today.year - (today.month == 1):04d}-{(today.month - 2) % 12 + 1:02d}"
    return [*payroll.previous_months(last, 11), last]


def need(size: int, status: str, open_alert: bool, income_fen: int, today: date,
         thresholds: payroll.AlertThresholds) -> matching.Household:
    """A household's need: its income per person over the last year against the line."""
    return matching.Household(size=size, status=status, monitoring_line_fen=thresholds.monitoring_line_fen(
        today.year), open_alert=open_alert, income_per_person_fen=payroll.round_half_up(Fraction(income_fen, size)))


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
    labourers = kept_labourers(session, candidate_labourers(session, vacancy, path, within, today), today,
                               thresholds)
    ranked = matching.rank_labourers(as_vacancy(vacancy, path), labourers.values(), today)
    return Ranked(ranked, labourers, {vacancy.id: vacancy})


def labourer(session: Session, worker_id: str, today: date, thresholds: payroll.AlertThresholds
             ) -> matching.Labourer | None:
    """The worker as matching sees them (from their kept row); None when they have no labour profile."""
    row = session.execute(select(*_CANDIDATE_COLUMNS).where(MatchLabourer.worker_id == worker_id)).one_or_none()
    if row is None:
        return None
    return kept_labourers(session, [row], today, thresholds)[row.id]


_VACANCY_COLUMNS = (Vacancy.id, Vacancy.title, Vacancy.region_code, Vacancy.skills, Vacancy.physical_demand,
                    Vacancy.scheme, Vacancy.start_date, Vacancy.end_date, Vacancy.poor_first, Region.path)


def candidate_vacancies(session: Session, labourer: matching.Labourer, today: date) -> list[str]:
    """The bare filter: the ids of the open vacancies no hard filter keeps from the labourer, nearest ring first
    (each by id), at most VACANCY_CANDIDATES."""
    needed = min(matching.SHARED_LEVELS[labourer.travel_range], len(labourer.region))
    found: list[str] = []
    for shared in range(len(labourer.region), needed - 1, -1):
        query = (select(MatchVacancy.vacancy_id)
                 .where(ring(MatchVacancy, labourer.region, shared),
                        MatchVacancy.demand <= matching.DEMANDS.index(matching.heaviest_allowed(labourer, today)),
                        or_(MatchVacancy.end_date.is_(None), MatchVacancy.end_date >= today))
                 .order_by(MatchVacancy.vacancy_id).limit(VACANCY_CANDIDATES - len(found)))
        found += session.scalars(query).all()
        if len(found) >= VACANCY_CANDIDATES:
            break
    return found


def _vacancy_rows(session: Session, labourer: matching.Labourer, today: date) -> list:
    ids = candidate_vacancies(session, labourer, today)
    if not ids:
        return []
    return session.execute(select(*_VACANCY_COLUMNS).join(Region, Region.code == Vacancy.region_code)
                           .where(Vacancy.id.in_(ids))).all()


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
