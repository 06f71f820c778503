"""Matching's narrow rows, kept in the transaction that changes what they are made of: one a labourer with a
labour profile (their household's region and its ancestors, how far they reach, the heaviest demand allowed and
their birth year, the days they are at work full time, their household's priority) and one an open vacancy with
places left.

Each is made by one statement from the tables it is kept from, for a few labourers or vacancies when one of
them changes, and for all of them by `refill_match_rows` (`flask rebuild`, the migration that made them):
keeping a row is making it again, so a kept row always equals one made from scratch.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Connection, and_, case, delete, exists, false, insert, not_, select, text
from sqlalchemy.orm import Session, aliased

import matching
from app.db.models import (
    Alert,
    Household,
    LabourProfile,
    LabourStatus,
    MatchLabourer,
    MatchVacancy,
    Referral,
    Region,
    Vacancy,
    Worker,
)
from app.db.models.jobs import TREE_LEVELS
from matching.score import MONITORED_POINTS, OPEN_ALERT_POINTS, POOR_POINTS

WORKING = ("working_local", "working_away")
OPEN_ALERTS = ("open", "acknowledged")
CHUNK = 500  # ids a statement, well inside every driver's limit on parameters


def _ancestry(region_code: ColumnElement) -> tuple[list, dict[str, ColumnElement], ColumnElement]:
    """Outer joins up the region tree from `region_code`: the joins, the code of the region at each level above
    and at it (None below it), and its depth (a province 1, a village 5)."""
    chain = [aliased(Region) for _ in TREE_LEVELS]
    joins = [(chain[0], chain[0].code == region_code)]
    joins += [(upper, upper.code == lower.parent_code) for lower, upper in zip(chain, chain[1:])]
    codes = {level: case(*((region.level == level, region.code) for region in chain)) for level in TREE_LEVELS}
    depth = case({level: n for n, level in enumerate(TREE_LEVELS, 1)}, value=chain[0].level, else_=0)
    return joins, codes, depth


def _outer_joins(query, joins: list):
    for region, on in joins:
        query = query.outerjoin(region, on)
    return query


def _least(a: ColumnElement, b: ColumnElement) -> ColumnElement:
    return case((a < b, a), else_=b)


def _employed_full_time() -> ColumnElement:
    """The current status is work (whatever its days), and not a hire into a part-time vacancy (the hire's
    referral looked up by its worker, whose index it has)."""
    part_time = (select(Referral.id).join(Vacancy, Vacancy.id == Referral.vacancy_id)
                 .where(Referral.worker_id == LabourStatus.worker_id,
                        Referral.assignment_id == LabourStatus.assignment_id, Vacancy.full_time.is_(false())))
    return and_(LabourStatus.status.in_(WORKING), not_(exists(part_time)))


def labourer_rows(where: ColumnElement | None = None):
    """The labourers' rows made from scratch (those `where` keeps), in MatchLabourer's columns."""
    joins, codes, depth = _ancestry(Household.region_code)
    levels = case(matching.SHARED_LEVELS, value=LabourProfile.travel_range, else_=0)
    busy = _employed_full_time()
    # LIMIT keeps it a lookup by household, where an EXISTS inside CASE would read every alert for each row
    alerted = (select(Alert.id).where(Alert.household_id == Household.id, Alert.status.in_(OPEN_ALERTS)).limit(1)
               .scalar_subquery().is_not(None))
    priority = (case((Household.status == "poor", POOR_POINTS), (Household.status == "monitored", MONITORED_POINTS),
                     else_=0) + case((alerted, OPEN_ALERT_POINTS), else_=0))
    query = (select(LabourProfile.worker_id, Worker.household_id, joins[0][0].path,
                    *(codes[level].label(level) for level in TREE_LEVELS), _least(levels, depth).label("reach"),
                    case({demand: n for n, demand in enumerate(matching.DEMANDS)},
                         value=LabourProfile.max_physical_demand, else_=0).label("heaviest"),
                    case((busy, LabourStatus.effective_date)).label("busy_from"),
                    case((busy, LabourStatus.until)).label("busy_until"), priority.label("priority"),
                    LabourProfile.skills, LabourProfile.travel_range, Household.size, Household.status,
                    alerted.label("open_alert"), LabourProfile.birth_year)
             .select_from(LabourProfile).join(Worker, Worker.id == LabourProfile.worker_id)
             .join(Household, Household.id == Worker.household_id)
             .outerjoin(LabourStatus, LabourStatus.worker_id == LabourProfile.worker_id))
    query = _outer_joins(query, joins)
    return query if where is None else query.where(where)


def vacancy_rows(where: ColumnElement | None = None):
    """The open vacancies' rows made from scratch (those `where` keeps), in MatchVacancy's columns."""
    joins, codes, _ = _ancestry(Vacancy.region_code)
    query = _outer_joins(
        select(Vacancy.id.label("vacancy_id"), *(codes[level].label(level) for level in TREE_LEVELS),
               case({demand: n for n, demand in enumerate(matching.DEMANDS)}, value=Vacancy.physical_demand,
                    else_=len(matching.DEMANDS)).label("demand"), Vacancy.end_date)
        .select_from(Vacancy).where(Vacancy.status == "open", Vacancy.hired < Vacancy.count), joins)
    return query if where is None else query.where(where)


_LABOURER_COLUMNS = ["worker_id", "household_id", "path", *TREE_LEVELS, "reach", "heaviest", "busy_from",
                     "busy_until", "priority", "skills", "travel_range", "size", "status", "open_alert", "birth_year"]
_VACANCY_COLUMNS = ["vacancy_id", *TREE_LEVELS, "demand", "end_date"]


def keep_labourers(session: Session, worker_ids: Iterable[str]) -> None:
    """Make the rows of these labourers again: after a change to their profile or status."""
    session.flush()
    for ids in _chunks(worker_ids):
        session.execute(delete(MatchLabourer).where(MatchLabourer.worker_id.in_(ids)))
        session.execute(insert(MatchLabourer).from_select(
            _LABOURER_COLUMNS, labourer_rows(LabourProfile.worker_id.in_(ids))))


def keep_households(session: Session, household_ids: Iterable[str]) -> None:
    """Make the rows of these households' labourers again: after a change to the household or its alerts."""
    session.flush()
    for ids in _chunks(household_ids):
        session.execute(delete(MatchLabourer).where(MatchLabourer.household_id.in_(ids)))
        session.execute(insert(MatchLabourer).from_select(_LABOURER_COLUMNS, labourer_rows(Household.id.in_(ids))))


def keep_vacancies(session: Session, vacancy_ids: Iterable[str]) -> None:
    """Make the rows of these vacancies again (none for one no longer open): after any change to them."""
    session.flush()
    for ids in _chunks(vacancy_ids):
        session.execute(delete(MatchVacancy).where(MatchVacancy.vacancy_id.in_(ids)))
        session.execute(insert(MatchVacancy).from_select(_VACANCY_COLUMNS, vacancy_rows(Vacancy.id.in_(ids))))


def refill_match_rows(session: Session | Connection) -> None:
    """Make every row again, a statement a table (a session or a connection), their indexes made afterwards:
    building an index once costs a third of keeping it row by row."""
    bind = session.connection() if isinstance(session, Session) else session
    if bind.dialect.name == "postgresql":
        # the statement costs enough to be JIT-compiled, and compiling it takes seconds for nothing
        bind.execute(text("SET LOCAL jit = off"))
    for model, columns, rows in ((MatchLabourer, _LABOURER_COLUMNS, labourer_rows()),
                                 (MatchVacancy, _VACANCY_COLUMNS, vacancy_rows())):
        indexes = list(model.__table__.indexes)
        for index in indexes:
            index.drop(bind)
        bind.execute(delete(model))
        bind.execute(insert(model).from_select(columns, rows))
        for index in indexes:
            index.create(bind)


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]

