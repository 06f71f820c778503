"""The score of an allowed match: integer points from skills, distance, pay against need and priority, each
with its reason."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from matching.facts import HEAVY_WORK_LAST_AGE, Labourer, Reason, Vacancy, reason, shared_levels

SKILL_POINTS = 40  # all the skills wanted
DISTANCE_POINTS = 20  # the same region; two fewer for each step through the region tree
NEED_POINTS = 20  # pay closing the whole monitoring line per person
POOR_POINTS = 10
MONITORED_POINTS = 5
POOR_FIRST_POINTS = 10  # a vacancy that puts poor households first, for a poor or monitored one
OPEN_ALERT_POINTS = 15  # the match answers an open income alert of the household
YEAR_DAYS = 365


@dataclass(frozen=True)
class Match:
    """A labourer for a vacancy, with the points and the reasons that make its score."""

    labourer_id: str
    vacancy_id: str
    score: int
    reasons: tuple[Reason, ...]


def skills_reason(labourer: Labourer, vacancy: Vacancy) -> Reason | None:
    if not vacancy.skills:
        return None
    matched = labourer.skills & vacancy.skills
    points = SKILL_POINTS * len(matched) // len(vacancy.skills)
    return reason("skills", points, matched=sorted(matched), wanted=len(vacancy.skills))


def distance_reason(labourer: Labourer, vacancy: Vacancy) -> Reason:
    shared = shared_levels(labourer.region, vacancy.region)
    steps = len(labourer.region) + len(vacancy.region) - 2 * shared  # tree_distance, its shared levels counted once
    return reason("distance", max(0, DISTANCE_POINTS - 2 * steps), steps=steps, shared=shared)


def pay_per_person_fen(labourer: Labourer, vacancy: Vacancy, today: date) -> int:
    """What the post pays over the next year (or until it ends), shared among the household."""
    begin = max(vacancy.start, today)
    days = YEAR_DAYS if vacancy.end is None else max(0, min(YEAR_DAYS, (vacancy.end - begin).days + 1))
    return vacancy.pay_per_month_fen * 12 * days // YEAR_DAYS // labourer.household.size


def need_reason(labourer: Labourer, vacancy: Vacancy, today: date) -> Reason:
    household = labourer.household
    gap = household.gap_per_person_fen
    if gap == 0:
        return reason("above_line")
    closed = min(gap, pay_per_person_fen(labourer, vacancy, today))
    return reason("closes_gap", NEED_POINTS * closed // household.monitoring_line_fen,
                  closed_fen=closed, gap_fen=gap)


def priority_reasons(labourer: Labourer, vacancy: Vacancy) -> list[Reason]:
    household = labourer.household
    found = []
    if household.status == "poor":
        found.append(reason("poor_household", POOR_POINTS))
    elif household.status == "monitored":
        found.append(reason("monitored_household", MONITORED_POINTS))
    if vacancy.poor_first and household.status != "other":
        found.append(reason("poor_first", POOR_FIRST_POINTS))
    if household.open_alert:
        found.append(reason("open_alert", OPEN_ALERT_POINTS))
    return found


def fit_reason(labourer: Labourer, vacancy: Vacancy, today: date) -> Reason | None:
    """For heavy work, why the labourer may take it (no points: the filters decide): their health allows it, and
    their age as known."""
    if vacancy.demand != "heavy":
        return None
    return reason("fit_for_heavy", age=labourer.age_in(today.year), limit=HEAVY_WORK_LAST_AGE)


def score(labourer: Labourer, vacancy: Vacancy, today: date) -> Match:
    """The match's points and reasons; whether it is allowed at all is the filters' to say."""
    reasons = [found for found in (skills_reason(labourer, vacancy), distance_reason(labourer, vacancy),
                                   need_reason(labourer, vacancy, today), fit_reason(labourer, vacancy, today))
               if found is not None]
    reasons += priority_reasons(labourer, vacancy)
    return Match(labourer.id, vacancy.id, sum(found.points for found in reasons), tuple(reasons))
