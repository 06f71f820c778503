"""The hard filters: a match they block is never offered, whatever it would score."""
from __future__ import annotations

from datetime import date

from matching.facts import (
    DEMANDS,
    HEAVY_WORK_LAST_AGE,
    SHARED_LEVELS,
    Labourer,
    Reason,
    Vacancy,
    reason,
    shared_levels,
)


def within_reach(labourer: Labourer, vacancy: Vacancy) -> bool:
    """Whether the vacancy lies inside the region the labourer's travel range covers; a labourer registered above
    village level reaches at most their own region for a nearer range."""
    needed = min(SHARED_LEVELS[labourer.travel_range], len(labourer.region))
    return shared_levels(labourer.region, vacancy.region) >= needed


def too_old_for_heavy(labourer: Labourer, today: date) -> bool:
    """Whether the labourer is past the age for heavy work this year; an unknown birth year bars nothing."""
    age = labourer.age_in(today.year)
    return age is not None and age > HEAVY_WORK_LAST_AGE


def heaviest_allowed(labourer: Labourer, today: date) -> str:
    """The heaviest work the labourer may be offered: their health limit, and no heavy work past the age."""
    if labourer.heaviest == "heavy" and too_old_for_heavy(labourer, today):
        return "medium"
    return labourer.heaviest


def blocks(labourer: Labourer, vacancy: Vacancy, today: date) -> tuple[Reason, ...]:
    """Every hard filter the match breaks (empty when it may be offered)."""
    found = []
    if not within_reach(labourer, vacancy):
        found.append(reason("out_of_range", travel_range=labourer.travel_range))
    if DEMANDS.index(vacancy.demand) > DEMANDS.index(labourer.heaviest):
        found.append(reason("too_heavy", demand=vacancy.demand, heaviest=labourer.heaviest))
    elif vacancy.demand == "heavy" and too_old_for_heavy(labourer, today):
        found.append(reason("too_old_for_heavy", age=labourer.age_in(today.year), limit=HEAVY_WORK_LAST_AGE))
    if labourer.employed_full_time:
        found.append(reason("employed_full_time"))
    if vacancy.end is not None and vacancy.end < today:
        found.append(reason("vacancy_ended", end=vacancy.end.isoformat()))
    return tuple(found)


def allowed(labourer: Labourer, vacancy: Vacancy, today: date) -> bool:
    return not blocks(labourer, vacancy, today)
